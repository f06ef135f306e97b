#pragma once
// The one narrow interface both backends implement (emu: Unicorn + sim-core models; kvm:
// /dev/kvm). The UI, CLI and grader ask the capability flags, never the backend's type.
#include "guest/image.h"
#include "snapshot/machine_state.h"
#include "trace/trace.h"

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ringside {

class Platform;
class Vmcs;

struct RunConfig {
  uint64_t ramMiB = 16;
  uint64_t maxInstructions = 100'000'000; ///< --max-insns; 0 means no limit
  double timeoutSeconds = 10.0;           ///< --timeout; wall clock
  /// --step: run instruction by instruction where the backend can (kvm: KVM_GUESTDBG_SINGLESTEP),
  /// for exact instruction counts and real ring changes. Backends that already count exactly
  /// (emu) ignore it.
  bool singleStep = false;
  /// --kernel-trace: also record what the host kernel's tracepoints saw (kvm only; costs time).
  bool kernelTrace = false;
  /// --vmx-profile: the VT-x controls of the modelled hypervisor (emu; "" = kvm-like).
  std::string vmxProfile;
  /// --vmx-set: control and field overrides applied after the profile, e.g.
  /// "cpu_based.hlt_exiting=0".
  std::vector<std::string> vmxOverrides;
  /// --virt: the virtualization technique (vmm/technique.h): "vtx" (default), "native", "pv".
  std::string virt = "vtx";
  /// --mmu: the memory model the emu backend executes through: "native" (default), "shadow"
  /// or "ept" (docs/memory.md).
  std::string mmu = "native";
};

/// An event kind this host cannot show for this run, and why (the summary's "unobservable").
struct Unobservable {
  std::string kind;
  std::string why;
};

/// What a backend can show. Views grey out what a backend cannot do.
struct Capabilities {
  bool exactInstructionCount = false; ///< `instructions` is exact, not an estimate
  bool deterministic = false;         ///< the same guest gives the same trace every run
  bool realExitReasons = false;       ///< exits come from real VT-x hardware
  bool modelledExits = false;         ///< exits are what a modelled VT-x monitor would take
  bool guestPageWalks = false;        ///< walk/tlb events of the guest's own tables
  bool canSingleStep = false;
  bool paging32 = false;   ///< 32-bit (non-PAE) guest paging works
  bool snapshots = false;  ///< saveState/restoreState/resume work (docs/snapshots.md)
  bool dirtyLog = false;   ///< setDirtyLogging/fetchDirtyLog work (live migration)
  std::string description; ///< one honest line about where the data comes from
};

struct GuestRegs {
  std::array<uint64_t, 16> gpr{}; ///< RAX RCX RDX RBX RSP RBP RSI RDI R8..R15 (SDM order)
  uint64_t rip = 0, rflags = 0;
  uint64_t cr0 = 0, cr2 = 0, cr3 = 0, cr4 = 0, efer = 0;
  uint16_t cs = 0, ss = 0;
  uint8_t cpl = 0;
};

/// Names of the general registers in GuestRegs::gpr order ("rax", "rcx", …).
const char *gprName(unsigned index);

struct RunResult {
  StopEvent stop;
  uint64_t instructions = 0;
  GuestRegs regs;
};

class Backend {
public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  virtual Capabilities capabilities() const = 0;
  /// Creates the machine and places the image. Throws InputError for an image that does not
  /// fit (larger than RAM, load address outside RAM, overlapping the platform's reserved range).
  virtual void load(const GuestImage &image, const RunConfig &config) = 0;
  /// Runs until the guest stops; records events into the trace, ending with one `stop` event.
  virtual RunResult run() = 0;
  /// Asks a running guest to stop (thread-safe); run() then returns a `timeout` stop.
  virtual void requestStop() = 0;
  virtual const Platform &platform() const = 0;
  virtual Trace &trace() = 0;
  /// Copies guest RAM at [gpa, gpa+n) into dst after a run (the differential test hashes it).
  /// False when the range is not RAM (MMIO windows, above RAM) or the backend cannot read it;
  /// the default is a backend that cannot.
  virtual bool readGuestPhysical(uint64_t gpa, void *dst, size_t n) const {
    (void)gpa, (void)dst, (void)n;
    return false;
  }
  /// Counters the backend's host kept over the last run (kvm: the vCPU's binary stats,
  /// after − before). Empty when the backend has none.
  virtual std::map<std::string, uint64_t> counters() const { return {}; }
  /// Ringside's own bookkeeping of the last run (steps taken, walks cross-checked, …), for
  /// debugging the backend rather than for lessons.
  virtual std::map<std::string, uint64_t> debugCounters() const { return {}; }
  /// The memory model's counters over the last run (emu with --mmu shadow|ept; modelled).
  virtual std::map<std::string, uint64_t> mmuCounters() const { return {}; }
  /// Event kinds this host cannot show for the last run (or the loaded configuration), so a
  /// summary says "not observable here" instead of showing zero. Empty: everything the trace
  /// format has is either observed or modelled and labelled so.
  virtual std::vector<Unobservable> unobservable() const { return {}; }
  /// The VMCS a backend models for its guest (emu), or nullptr when it has none to show.
  virtual const Vmcs *modelVmcs() const { return nullptr; }

  // Snapshots (capabilities().snapshots; docs/snapshots.md). A snapshot is taken between two
  // instructions, after run() or resume() stopped at the instruction budget.
  /// The whole machine. Throws InputError when the backend cannot snapshot it now.
  virtual snapshot::MachineState saveState() const;
  /// Replaces the machine with `state` (which this backend wrote); the next run() continues it.
  virtual void restoreState(const snapshot::MachineState &state, const RunConfig &config);
  /// Continues a guest stopped by its budget until `totalInstructions` have retired since the
  /// guest started (0: no limit), appending to the same trace.
  virtual RunResult resume(uint64_t totalInstructions);
  /// Dirty-page logging for live migration (capabilities().dirtyLog). While on, every guest
  /// write to RAM (the guest's stores and the monitor's, e.g. an interrupt frame or an
  /// accessed/dirty bit) marks its 4 KiB page.
  virtual void setDirtyLogging(bool on);
  /// The guest-physical page numbers written since logging began or since the last fetch, in
  /// ascending order; fetching clears the log (as KVM_GET_DIRTY_LOG does).
  virtual std::vector<uint64_t> fetchDirtyLog();
};

/// "emu" or "kvm". Throws InputError for an unknown name or a backend this host cannot run,
/// with a message that says why and how to fix it.
std::unique_ptr<Backend> createBackend(const std::string &name);

} // namespace ringside
