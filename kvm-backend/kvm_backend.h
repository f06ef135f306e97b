#pragma once
// The KVM backend: the same guests on /dev/kvm. The platform devices are served from the exits
// KVM_RUN returns to userspace (KVM_EXIT_IO, KVM_EXIT_MMIO, …); every event it records is
// labelled with its source (kvm-run, single-step, kvm-translate, kernel-trace). What it can
// show depends on the host (kvm_host.h): on PVM, CPL0 code is emulated, 32-bit paging is
// unsupported and VMCALL never returns (the watchdog stops it). Without --step instructions
// are not counted (0) and --max-insns is not enforced; with --step every instruction is one
// KVM_EXIT_DEBUG, so both are exact. With --mmu shadow|ept Ringside's memory model runs beside
// the guest, never driving it (kvm_mmu_model.h). docs/kvm-backend.md describes each event source.
#include "backend/backend.h"
#include "kvm_host.h"
#include "kvm_mmu_model.h"
#include "kvm_ram.h"
#include "kvm_vm.h"
#include "kvm_watchdog.h"
#include "mmu/page_walker.h"
#include "platform/platform.h"

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>

namespace ringside::kvm {

/// Creates the KVM backend. Throws InputError, with a message that says how to fix it, when
/// this host cannot run it (no /dev/kvm, no permission, …).
std::unique_ptr<Backend> createKvmBackend();

class KvmBackend : public Backend {
public:
  explicit KvmBackend(HostProbe probe);

  std::string name() const override { return "kvm"; }
  Capabilities capabilities() const override;
  void load(const GuestImage &image, const RunConfig &config) override;
  RunResult run() override;
  void requestStop() override { watchdog_.requestStop(); }
  const Platform &platform() const override { return *platform_; }
  Trace &trace() override { return trace_; }
  bool readGuestPhysical(uint64_t gpa, void *dst, size_t n) const override;
  std::map<std::string, uint64_t> counters() const override { return stats_; }
  std::map<std::string, uint64_t> debugCounters() const override { return debug_; }
  /// --mmu shadow|ept: the counters of the model run beside the guest (kvm_mmu_model.h).
  std::map<std::string, uint64_t> mmuCounters() const override {
    return mmuModel_ ? mmuModel_->counters() : std::map<std::string, uint64_t>{};
  }
  std::vector<Unobservable> unobservable() const override;
  // kvm_snapshot.cpp (docs/snapshots.md, "The kvm backend")
  snapshot::MachineState saveState() const override;
  void restoreState(const snapshot::MachineState &state, const RunConfig &config) override;
  RunResult resume(uint64_t totalInstructions) override;
  void setDirtyLogging(bool on) override;
  std::vector<uint64_t> fetchDirtyLog() override;
  /// Of the last fetchDirtyLog(): the bits KVM_GET_DIRTY_LOG set, and the pages only the
  /// devices wrote from userspace (not in the kernel's log).
  uint64_t lastKernelDirtyPages() const { return lastKernelDirty_; }
  uint64_t lastUserspaceDirtyPages() const { return lastUserspaceDirty_; }

  const HostProbe &probe() const { return probe_; }

private:
  // kvm_exits.cpp: one handler per KVM exit reason; false ends the run.
  using ExitHandler = bool (KvmBackend::*)();
  struct ExitRoute {
    uint32_t reason;
    const char *name;
    ExitHandler handler;
  };
  static const ExitRoute *routeFor(uint32_t reason);
  bool dispatchExit();
  bool onIo();
  bool onMmio();
  bool onHlt();
  bool onShutdown();
  bool onFailEntry();
  bool onInternalError();
  bool onDebug();
  bool onInterrupted();
  bool onIrqWindowOpen();
  // kvm_pv.cpp: --virt pv, the hypercall page with a port doorbell.
  bool onWrmsr();
  bool isHypercallDoorbell() const;
  bool onHypercallDoorbell();

  // kvm_interrupts.cpp: the platform timer on KVM, with the PIC in userspace (as QEMU without
  // a kernel irqchip): injection with KVM_INTERRUPT, KVM_EXIT_IRQ_WINDOW_OPEN when the guest
  // cannot take one yet, HLT sleeping until the timer. Its clock is wall time.
  uint64_t timerClock() const;
  /// Before each KVM_RUN: inject a pending interrupt or ask for the window; arm the kick.
  bool prepareInterrupts();
  /// HLT with interrupts on: sleep until the timer fires; false when nothing can wake it.
  bool sleepUntilInterrupt();

  /// The vCPU state the step and walk code look at, from SYNC_REGS (or ioctls before the
  /// first exit).
  struct CpuView {
    uint64_t linearRip = 0;
    uint64_t rflags = 0;
    uint8_t cpl = 0;
    uint64_t linearStack = 0; ///< SS.base + RSP
    bool code64 = false;      ///< CS.L in long mode: REX prefixes exist
    bool code32 = false;      ///< CS.D outside 64-bit code: 32-bit default operand size
    PagingState paging;
  };

  // kvm_step.cpp: single-step mode (RunConfig::singleStep).
  void enableSingleStep();
  bool onStep();     ///< one KVM_EXIT_DEBUG while stepping: one retired instruction
  bool beforeStep(); ///< false (run finished) when the next step cannot be taken on this host
  void retireAtUserspaceExit();
  // kvm_walks.cpp: walk events at userspace exits, cross-checked with KVM_TRANSLATE.
  CpuView cpuView() const;
  /// Reads guest memory at a linear address through the guest's tables (read-only walk).
  bool readLinear(const CpuView &view, uint64_t linear, void *dst, size_t n) const;
  void walkExitRip();
  /// --mmu shadow|ept: a fresh model for a new run (or when the VM's RAM moved).
  void prepareMmuModel(bool resumed);

  // kvm_backend.cpp
  uint64_t exitRip() const; ///< linear RIP at the current exit
  void record(EventBody body);
  void exitEvent(uint16_t reason, uint64_t qualification);
  void entryEvent();
  void finish(StopKind kind, int64_t code, std::string message);
  GuestRegs finalRegs() const;

  HostProbe probe_;
  Trace trace_;
  std::unique_ptr<Platform> platform_;
  std::unique_ptr<KvmVm> vm_;
  std::unique_ptr<KvmRam> ram_; ///< vm_'s RAM for the platform's devices
  bool pv_ = false;             ///< --virt pv: CPUID signature, hypercall page, doorbell
  VcpuWatchdog watchdog_;
  RunConfig config_;
  std::optional<RunResult> result_;
  bool synced_ = false; ///< run()->s.regs holds the state of the last exit
  std::chrono::steady_clock::time_point clockStart_{};
  bool kickArmed_ = false; ///< the watchdog will kick the vCPU when the timer is due

  uint64_t instructions_ = 0;          ///< retired instructions, counted in step mode only
  uint64_t stepRip_ = 0;               ///< linear RIP of the instruction the next step executes
  uint8_t stepCpl_ = 0;                ///< CPL before that instruction
  std::optional<uint64_t> iretTarget_; ///< where the IRET about to be stepped returns to

  std::set<std::pair<uint64_t, uint64_t>> walkedPages_; ///< (CR3, linear page) already walked
  std::unique_ptr<KvmMmuModel> mmuModel_; ///< --mmu shadow|ept: modelled beside, never driving
  std::span<const uint8_t> mmuModelRam_;  ///< the RAM mmuModel_ was made for
  std::map<std::string, uint64_t> stats_; ///< vCPU binary stats, after − before
  std::map<std::string, uint64_t> debug_;
  std::string kernelTraceFailure_;

  std::string imagePath_; ///< what a snapshot records of the loaded image
  uint64_t entry_ = 0;
  uint8_t entryMode_ = 0;
  bool resumed_ = false;     ///< the next run() goes on from a budget stop or a restore
  uint64_t clockAtStop_ = 0; ///< timerClock() when the last run ended (PIT ticks)
  uint64_t lastKernelDirty_ = 0, lastUserspaceDirty_ = 0;
};

} // namespace ringside::kvm
