#include "walk_command.h"
#include "guest_flags.h"

#include "backend/backend.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "mmu/ept_builder.h"
#include "mmu/host_memory.h"
#include "mmu/shadow_pager.h"
#include "mmu/walk_2d.h"
#include "trace/trace_json.h"
#include "vmx/exit_decision.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fields.h"

#include <nlohmann/json.hpp>

#include <cstdio>
#include <iostream>
#include <vector>

namespace ringside::cli {
namespace {

constexpr uint32_t kGuestEfer = 0x2806;       // GUEST_IA32_EFER
constexpr uint32_t kEnableEpt = 1u << 1;      // secondary processor-based control
constexpr uint64_t kVmmPool = 0xF0'0000'0000; // modelled VMM pages, far above guest RAM
constexpr uint64_t kVmmPoolSize = 64ull << 20;

struct Snapshot {
  uint64_t at = 0;
  PagingState paging;
  std::vector<uint8_t> ram;
};

std::string hex(uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string accessText(const Access &a) {
  return std::string(a.fetch   ? "fetch"
                     : a.write ? "write"
                               : "read") +
         (a.user ? ", user" : ", supervisor");
}

const char *levelName(WalkMode mode, uint8_t level) {
  if (mode == WalkMode::Bits32)
    return level == 2 ? "PD" : "PT";
  if (mode == WalkMode::Pae && level == 3)
    return "PDPT";
  switch (level) {
  case 4:
    return "PML4";
  case 3:
    return "PDPT";
  case 2:
    return "PD";
  default:
    return "PT";
  }
}

std::string pageSizeText(uint64_t size) {
  if (size >= (1u << 30))
    return std::to_string(size >> 30) + " GiB";
  if (size >= (1u << 20))
    return std::to_string(size >> 20) + " MiB";
  return std::to_string(size >> 10) + " KiB";
}

/// One walk event as text: each entry read, then the event's own result.
void printWalk(const WalkEvent &e, const char *title) {
  std::cout << title << " (" << walkModeName(e.mode) << ", " << walkPurposeName(e.purpose)
            << ") of " << hex(e.gva) << ":\n";
  for (unsigned i = 0; i < e.stepCount; ++i) {
    const WalkStep &s = e.steps[i];
    char line[160];
    std::snprintf(line, sizeof line, "  L%u %-4s table %-12s [%3u] = 0x%016llx", s.level,
                  levelName(e.mode, s.level), hex(s.tableAddr).c_str(), s.index,
                  static_cast<unsigned long long>(s.entry));
    std::cout << line;
    if (i + 1 < e.stepCount)
      std::cout << "  -> table " << hex(e.steps[i + 1].tableAddr);
    std::cout << "\n";
  }
  if (e.ok)
    std::cout << "  => " << hex(e.gpa) << " (" << pageSizeText(e.pageSize) << " page)";
  else if (e.exitReason)
    std::cout << "  => VM exit " << e.exitReason
              << (e.exitReason == kExitEptViolation
                      ? " (EPT violation, qualification " + hex(e.faultCode) + ")"
                      : " (EPT misconfiguration)");
  else if (e.stepCount == 0)
    std::cout << "  => #GP (non-canonical address)";
  else
    std::cout << "  => #PF, error code " << hex(e.faultCode);
  std::cout << ", " << unsigned(e.memoryRefs) << " memory reference"
            << (e.memoryRefs == 1 ? "" : "s") << "\n";
}

nlohmann::ordered_json eventJson(const WalkEvent &e) {
  auto j = toJson(Event{0, 0, e});
  j.erase("seq");
  j.erase("icount");
  return j;
}

/// Guest RAM page by page; pages the backend cannot read (the VGA window) stay zero, which the
/// walkers see as not-present entries.
bool copyRam(const Backend &backend, std::vector<uint8_t> &ram, uint64_t size) {
  ram.assign(size, 0);
  uint64_t copied = 0;
  for (uint64_t pa = 0; pa < size; pa += 4096)
    copied += backend.readGuestPhysical(pa, ram.data() + pa, 4096) ? 1 : 0;
  return copied > 0;
}

int fail(const std::string &message) {
  std::cerr << "ringside: " << message << "\n";
  return 2;
}

} // namespace

void addWalkCommand(CLI::App &app, WalkOptions &o) {
  auto *cmd = app.add_subcommand(
      "walk", "Translate one guest-virtual address step by step (native, shadow or EPT 2-D)");
  cmd->add_option("GUEST", o.guest, "guest image: .asm, .bin or ELF")->required();
  cmd->add_option("--gva", o.gva, "the guest-virtual address, hex (0x…) or decimal")->required();
  cmd->add_option("--at", o.at, "trace position (seq of an event); default: the end of the run");
  cmd->add_option("--mmu", o.mmu, "native (the guest's tables), shadow or ept (modelled VMM)")
      ->check(CLI::IsMember({"native", "shadow", "ept"}));
  cmd->add_option("--backend", o.backend,
                  "where the guest runs: emu (default) or kvm (its real tables after the run; "
                  "the EPT and shadow tables stay modelled)")
      ->check(CLI::IsMember({"emu", "kvm"}));
  cmd->add_flag("--ept-2m", o.ept2M, "the modelled EPT maps guest RAM with 2 MiB pages");
  cmd->add_flag("--write", o.write, "translate a write");
  cmd->add_flag("--fetch", o.fetch, "translate an instruction fetch");
  cmd->add_flag("--user", o.user, "a user-mode (CPL 3) access");
  cmd->add_option("--entry", o.entry, "real, protected or long")
      ->check(CLI::IsMember({"real", "protected", "long"}));
  cmd->add_option("--load", o.load, "load address of .asm/.bin images");
  cmd->add_option("--mem", o.memMiB, "guest RAM in MiB")->check(CLI::Range(1, 4096));
  cmd->add_option("--max-insns", o.maxInsns, "stop after N instructions");
  cmd->add_option("--timeout", o.timeout, "stop after SECONDS")->check(CLI::Range(0.0, 3600.0));
  cmd->add_flag("--json", o.json, "print one JSON object");
}

int walkCommand(const WalkOptions &o) {
  if (o.write && o.fetch)
    return fail("walk: --write and --fetch exclude each other");
  // KVM has no VMCS to read the guest's paging registers from mid-run.
  if (o.backend == "kvm" && o.at)
    return fail("walk --at needs --backend emu: the guest's registers mid-run come from the "
                "modelled VMCS, which the kvm backend does not have");
  uint64_t gva = 0;
  std::unique_ptr<Backend> backend;
  try {
    gva = parseAddress(o.gva);
    LoadOptions load = loadOptionsFrom(o.entry, o.load);
    GuestImage image = loadGuestImage(o.guest, load);
    backend = createBackend(o.backend);
    RunConfig config;
    config.ramMiB = o.memMiB;
    config.maxInstructions = o.maxInsns;
    config.timeoutSeconds = o.timeout;
    backend->load(image, config);
  } catch (const InputError &e) {
    return fail(e.what());
  }

  const uint64_t ramSize = o.memMiB << 20;
  Snapshot snap;
  bool taken = false;
  std::string problem;
  const Vmcs *vmcs = backend->modelVmcs();
  backend->trace().setKeepEvents(false);
  backend->trace().addListener([&](const Event &e) {
    if (taken || !o.at || e.seq != *o.at)
      return;
    taken = true;
    snap.at = e.seq;
    // Mid-run, the guest's registers are those of the VMCS guest-state area (synced at every
    // exit): CR0/CR4 as the guest reads them, CR3 as loaded (the guest's own only with EPT).
    if (!vmcs || !(vmcs->get(vmcs::SecondaryControls) & kEnableEpt)) {
      problem = "walk --at: the guest's CR3 is known mid-run only when the modelled hypervisor "
                "uses EPT (the default kvm-like profile)";
      return;
    }
    snap.paging.cr0 = guestVisibleCr(*vmcs, 0, vmcs->get(vmcs::GuestCr0));
    snap.paging.cr3 = vmcs->get(vmcs::GuestCr3);
    snap.paging.cr4 = guestVisibleCr(*vmcs, 4, vmcs->get(vmcs::GuestCr4));
    snap.paging.efer = vmcs->get(kGuestEfer);
    if (!copyRam(*backend, snap.ram, ramSize))
      problem = "walk --at: could not read guest RAM";
  });
  RunResult result = backend->run();
  if (!problem.empty())
    return fail(problem);
  if (!taken) {
    if (o.at)
      return fail("the trace has only " + std::to_string(backend->trace().size()) +
                  " events; --at " + std::to_string(*o.at) + " is past its end");
    snap.at = backend->trace().size() - 1;
    snap.paging = {result.regs.cr0, result.regs.cr3, result.regs.cr4, result.regs.efer};
    if (!copyRam(*backend, snap.ram, ramSize))
      return fail("walk: could not read guest RAM after the run");
  }

  // The machine the models see: guest RAM at host-physical 0 (identity), VMM pages far above.
  HostMemory host;
  host.addRegion(0, ramSize);
  host.write(0, snap.ram.data(), ramSize);
  PageAllocator pool(host, kVmmPool, kVmmPoolSize);
  const Access access{o.write, o.user, o.fetch};

  nlohmann::ordered_json json = nlohmann::ordered_json::object();
  json["at"] = snap.at;
  json["gva"] = gva;
  json["access"] = o.fetch ? "fetch" : o.write ? "write" : "read";
  json["user"] = o.user;
  json["mmu"] = o.mmu;
  json["backend"] = backend->name();
  json["paging"] = {{"cr0", snap.paging.cr0},
                    {"cr3", snap.paging.cr3},
                    {"cr4", snap.paging.cr4},
                    {"efer", snap.paging.efer}};
  json["walks"] = nlohmann::ordered_json::array();
  if (!o.json)
    std::cout << "Walk of " << hex(gva) << " (" << accessText(access) << ") after event " << snap.at
              << ": CR0=" << hex(snap.paging.cr0) << " CR3=" << hex(snap.paging.cr3)
              << " CR4=" << hex(snap.paging.cr4) << " EFER=" << hex(snap.paging.efer) << "\n";
  if (!o.json && backend->name() == "kvm")
    std::cout << "The guest ran on KVM; its registers and tables are the VM's after the run"
              << (o.mmu == "native" ? ".\n" : ", and the VMM's tables below are modelled.\n");

  if (o.mmu == "native") {
    // A look, not an access: no A/D bits are set in the copy of RAM.
    const Translation t = translateLinear(snap.paging, host, gva, access, false);
    json["source"] = "model";
    json["walks"].push_back(eventJson(t.event));
    json["ok"] = t.ok;
    if (t.ok)
      json["gpa"] = t.pa;
    json["table_refs"] = t.event.memoryRefs;
    if (!o.json) {
      if (!(snap.paging.cr0 & (1u << 31)))
        std::cout << "Paging is off: the address is its own physical address.\n";
      printWalk(t.event, "The guest's page walk");
    }
  } else if (o.mmu == "ept") {
    const uint64_t eptPage = o.ept2M ? (2u << 20) : 4096;
    const uint64_t eptp = buildIdentityEpt(pool, ramSize, eptPage);
    const Walk2D w = walk2D(snap.paging, EptContext(eptp), host, gva, access, 1, false);
    json["source"] = "model";
    json["eptp"] = eptp;
    json["ept_page_size"] = eptPage;
    for (const WalkEvent &e : walkEvents(w))
      json["walks"].push_back(eventJson(e));
    json["ok"] = w.ok();
    json["outcome"] = walk2DOutcomeName(w.outcome);
    if (w.ok())
      json.update({{"gpa", w.gpa}, {"hpa", w.hpa}});
    json["table_refs"] = w.tableRefs();
    json["total_refs"] = w.totalRefs();
    if (!o.json) {
      std::cout << "Modelled: an identity EPT built by the VMM (EPTP " << hex(eptp) << ", "
                << pageSizeText(eptPage) << " pages). Memory references in order:\n";
      unsigned n = 0;
      for (const MemoryRef &r : orderedRefs(w)) {
        char line[160];
        const char *kind = r.kind == MemoryRef::Kind::EptEntry     ? "EPT  "
                           : r.kind == MemoryRef::Kind::GuestEntry ? "guest"
                                                                   : "data ";
        if (r.kind == MemoryRef::Kind::Data)
          std::snprintf(line, sizeof line, "  %2u  %s       HPA %s\n", ++n, kind,
                        hex(r.address).c_str());
        else
          std::snprintf(line, sizeof line, "  %2u  %s L%u   %s %-14s = 0x%016llx\n", ++n, kind,
                        r.level, r.kind == MemoryRef::Kind::EptEntry ? "HPA" : "GPA",
                        hex(r.address).c_str(), static_cast<unsigned long long>(r.value));
        std::cout << line;
      }
      for (unsigned i = 0; i < w.eptCount; ++i)
        printWalk(w.ept[i], i + 1 == w.eptCount && w.guest.ok ? "EPT walk of the final GPA"
                                                              : "EPT walk of a guest table");
      printWalk(w.guest.event, "The guest's walk (table addresses are guest-physical)");
      std::cout << "Outcome: " << walk2DOutcomeName(w.outcome);
      if (w.ok())
        std::cout << ", GPA " << hex(w.gpa) << " -> HPA " << hex(w.hpa);
      else if (w.outcome == Walk2DOutcome::EptViolation)
        std::cout << " at GPA " << hex(w.faultGpa) << ", qualification " << hex(w.qualification);
      std::cout << "; " << w.tableRefs() << " table references"
                << (w.ok() ? " + 1 data access" : "") << "\n";
    }
  } else { // shadow
    std::vector<WalkEvent> walks;
    ShadowPager shadow(host, GuestRamMap{ramSize, 0}, pool, {},
                       [&](EventBody b) { walks.push_back(std::get<WalkEvent>(b)); });
    shadow.setPaging(snap.paging);
    const ShadowAccess first = shadow.access(gva, access);
    const ShadowAccess again = first.ok ? shadow.access(gva, access) : first;
    const ShadowCounters &c = shadow.counters();
    json["source"] = "model";
    for (const WalkEvent &e : walks)
      json["walks"].push_back(eventJson(e));
    json["ok"] = first.ok;
    if (first.ok)
      json.update({{"gpa", first.gpa}, {"hpa", first.hpa}});
    json["hidden_fault"] = first.hiddenFault;
    json["true_fault"] = first.trueFault;
    json["exits"] = c.exits;
    json["shadow_entries_built"] = c.entriesBuilt;
    if (!o.json) {
      std::cout << "Modelled: a shadow-paging VMM, guest RAM at host-physical = guest-physical. "
                   "A cold access, then the same access again:\n";
      for (const WalkEvent &e : walks)
        printWalk(e, e.purpose == WalkPurpose::Shadow ? "Processor walk of the shadow tables"
                                                      : "VMM walk of the guest's tables");
      std::cout << "Outcome: "
                << (first.trueFault     ? "a true fault, reflected to the guest"
                    : first.hiddenFault ? "a hidden fault: the VMM built the shadow entry"
                    : first.notRam      ? "the guest maps memory outside RAM"
                                        : "no fault")
                << "; exits " << c.exits << ", shadow entries built " << c.entriesBuilt
                << "; second access " << (again.hiddenFault || !again.ok ? "faulted" : "hit")
                << "\n";
    }
  }
  if (o.json)
    std::cout << json.dump() << "\n";
  return 0;
}

} // namespace ringside::cli
