#include "compare_command.h"
#include "guest_flags.h"

#include "backend/backend.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "trace/trace_summary.h"
#include "vmm/cost_model.h"
#include "vmm/technique_compare.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace ringside::cli {
namespace {

using Row = TechniqueRun;

// Rows: the paper's operations; columns: the techniques, each "count  cycles".
void printByOp(const std::vector<Row> &rows) {
  std::printf("\nper operation: count and est. cycles (the nanobenchmarks of Adams & Agesen)\n");
  std::printf("%-10s", "operation");
  for (const auto &r : rows)
    std::printf(" %22s", std::string(techniqueInfo(r.technique).name).c_str());
  std::printf("\n");
  for (const auto &op : nanobenchOps()) {
    std::printf("%-10.*s", static_cast<int>(op.name.size()), op.name.data());
    for (const auto &r : rows) {
      const OpTotal t = opTotal(op, r.counts, r.cost);
      std::printf(" %8llu %13.0f", static_cast<unsigned long long>(t.count), t.cycles);
    }
    std::printf("\n");
  }
  std::printf("%-10s", "emul. wr.");
  for (const auto &r : rows) {
    auto it = r.mmu.find("emulated_writes");
    if (it == r.mmu.end())
      std::printf(" %22s", "-");
    else
      std::printf(" %22llu", static_cast<unsigned long long>(it->second));
  }
  std::printf("\nptemod: a live PTE rewritten, then INVLPG (a plain store, and page faults "
              "exit-free, when the run shows EPT); emul. wr.: the shadow pager's emulated "
              "page-table writes (--mmu shadow)\n");
}

} // namespace

void addCompareCommand(CLI::App &app, CompareOptions &o) {
  auto *cmd = app.add_subcommand(
      "compare", "Run one guest under several virtualization techniques and compare the costs");
  cmd->add_option("GUEST", o.guest, "guest image: .asm, .bin or ELF")->required();
  cmd->add_option("--virt", o.virt, "techniques, comma-separated (default: every one built)")
      ->delimiter(',');
  cmd->add_option("--vmx-profile", o.vmxProfile, "VT-x profile for vtx (docs/vmx-profile.md)");
  cmd->add_option("--mmu", o.mmu, "memory model for every run: native, shadow or ept")
      ->check(CLI::IsMember({"native", "shadow", "ept"}));
  cmd->add_option("--entry", o.entry, "real, protected or long");
  cmd->add_option("--load", o.load, "load address of .asm/.bin images");
  cmd->add_option("--max-insns", o.maxInsns, "stop each run after N instructions");
  cmd->add_option("--timeout", o.timeout, "stop each run after SECONDS");
  cmd->add_flag("--json", o.json, "machine-readable output");
  cmd->add_flag("--by-op", o.byOp,
                "also count and price each operation of the paper's nanobenchmarks");
}

int compareCommand(const CompareOptions &o) {
  std::vector<Row> rows;
  try {
    GuestImage image = loadGuestImage(o.guest, loadOptionsFrom(o.entry, o.load));
    rows = compareTechniques(image, {o.virt, o.vmxProfile, o.maxInsns, o.timeout, o.mmu});
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }

  const double baseline = rows.empty() ? 0 : rows.front().cost.cycles;
  if (o.json) {
    nlohmann::ordered_json j;
    j["guest"] = o.guest;
    j["cost_model"] = "Adams & Agesen, ASPLOS 2006: 3.8 GHz Pentium 4 cycles (docs/cost-model.md)";
    auto &out = j["techniques"] = nlohmann::ordered_json::array();
    for (const auto &r : rows) {
      nlohmann::ordered_json parts;
      for (const auto &c : costTable())
        parts[std::string(c.name)] = {{"count", r.counts[c.op]},
                                      {"cycles", r.cost.parts[size_t(c.op)]}};
      nlohmann::ordered_json byOp;
      for (const auto &op : nanobenchOps()) {
        const OpTotal t = opTotal(op, r.counts, r.cost);
        byOp[std::string(op.name)] = {{"count", t.count}, {"cycles", t.cycles}};
      }
      out.push_back({{"virt", techniqueInfo(r.technique).name},
                     {"stop", stopKindName(r.result.stop.kind)},
                     {"instructions", r.result.instructions},
                     {"exits", r.summary.exits},
                     {"exceptions", r.faults()},
                     {"hypercalls", r.counts[CostOp::Hypercall]},
                     {"traps", r.summary.trapCount},
                     {"bt_callouts", r.summary.calloutCount},
                     {"leaks", r.summary.leakCount},
                     {"leaks_by_insn", r.summary.leaks},
                     {"translations", r.summary.tcMisses},
                     {"tc_hits", r.summary.tcHits},
                     {"estimated_cycles", r.cost.cycles},
                     {"parts", parts},
                     {"by_op", byOp},
                     {"mmu", r.mmu}});
    }
    std::cout << j.dump() << "\n";
    return 0;
  }
  std::printf("%-26s %-9s %12s %7s %7s %7s %6s %11s %6s %7s %7s %14s %8s\n", "technique", "stop",
              "instructions", "exits", "traps", "callout", "leaks", "TC miss/hit", "I/O", "faults",
              "hcalls", "est. cycles", "vs first");
  for (const auto &r : rows) {
    const uint64_t faults = r.faults();
    const std::string tc =
        std::to_string(r.summary.tcMisses) + "/" + std::to_string(r.summary.tcHits);
    std::printf(
        "%-26.*s %-9s %12llu %7llu %7llu %7llu %6llu %11s %6llu %7llu %7llu %14.0f %7.2fx\n",
        static_cast<int>(techniqueInfo(r.technique).title.size()),
        techniqueInfo(r.technique).title.data(), stopKindName(r.result.stop.kind),
        static_cast<unsigned long long>(r.result.instructions),
        static_cast<unsigned long long>(r.exitCount()),
        static_cast<unsigned long long>(r.summary.trapCount),
        static_cast<unsigned long long>(r.summary.calloutCount),
        static_cast<unsigned long long>(r.summary.leakCount), tc.c_str(),
        static_cast<unsigned long long>(r.counts[CostOp::PortIo]),
        static_cast<unsigned long long>(faults),
        static_cast<unsigned long long>(r.counts[CostOp::Hypercall]), r.cost.cycles,
        baseline > 0 ? r.cost.cycles / baseline : 0.0);
  }
  if (o.byOp)
    printByOp(rows);
  std::cout << "cycles: a model with 2006 Pentium 4 figures (Adams & Agesen, ASPLOS 2006), "
               "not a measurement; docs/cost-model.md\n";
  std::string missing;
  for (const auto &t : techniques())
    if (!t.built)
      missing += (missing.empty() ? "" : ", ") + std::string(t.name);
  if (!missing.empty())
    std::cout << "not built yet: " << missing << "\n";
  return 0;
}

} // namespace ringside::cli
