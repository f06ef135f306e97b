#include "compare_command.h"
#include "guest_flags.h"

#include "backend/backend.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "trace/trace_summary.h"
#include "vmm/cost_model.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>

namespace ringside::cli {
namespace {

struct Row {
  Technique technique;
  RunResult result;
  TraceSummary summary;
  CostCounts counts;
  CostEstimate cost;
};

uint64_t total(const std::map<std::string, uint64_t> &m) {
  uint64_t n = 0;
  for (const auto &[name, count] : m)
    n += count;
  return n;
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
}

int compareCommand(const CompareOptions &o) {
  std::vector<std::string> names = o.virt;
  if (names.empty())
    for (const auto &t : techniques())
      if (t.built)
        names.emplace_back(t.name);
  std::vector<Row> rows;
  try {
    GuestImage image = loadGuestImage(o.guest, loadOptionsFrom(o.entry, o.load));
    for (const auto &name : names) {
      auto backend = createBackend("emu"); // techniques are modelled on the emu backend
      RunConfig config;
      config.virt = name;
      config.vmxProfile = o.vmxProfile;
      config.mmu = o.mmu;
      config.maxInstructions = o.maxInsns;
      config.timeoutSeconds = o.timeout;
      backend->load(image, config); // refuses unknown and unbuilt techniques by name
      Row row;
      row.technique = *findTechnique(name);
      row.result = backend->run();
      const auto &events = backend->trace().events();
      row.summary = summarize(events);
      row.counts = costCounts(events, row.result.instructions);
      row.cost = estimateCost(row.counts, row.technique);
      rows.push_back(std::move(row));
    }
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
      out.push_back({{"virt", techniqueInfo(r.technique).name},
                     {"stop", stopKindName(r.result.stop.kind)},
                     {"instructions", r.result.instructions},
                     {"exits", r.summary.exits},
                     {"exceptions", r.counts[CostOp::PageFault] + r.counts[CostOp::OtherException]},
                     {"hypercalls", r.counts[CostOp::Hypercall]},
                     {"estimated_cycles", r.cost.cycles},
                     {"parts", parts}});
    }
    std::cout << j.dump() << "\n";
    return 0;
  }
  std::printf("%-26s %-9s %12s %8s %8s %8s %8s %14s %8s\n", "technique", "stop", "instructions",
              "exits", "I/O", "faults", "hcalls", "est. cycles", "vs first");
  for (const auto &r : rows) {
    const uint64_t faults = r.counts[CostOp::PageFault] + r.counts[CostOp::OtherException];
    std::printf("%-26.*s %-9s %12llu %8llu %8llu %8llu %8llu %14.0f %7.2fx\n",
                static_cast<int>(techniqueInfo(r.technique).title.size()),
                techniqueInfo(r.technique).title.data(), stopKindName(r.result.stop.kind),
                static_cast<unsigned long long>(r.result.instructions),
                static_cast<unsigned long long>(total(r.summary.exits)),
                static_cast<unsigned long long>(r.counts[CostOp::PortIo]),
                static_cast<unsigned long long>(faults),
                static_cast<unsigned long long>(r.counts[CostOp::Hypercall]), r.cost.cycles,
                baseline > 0 ? r.cost.cycles / baseline : 0.0);
  }
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
