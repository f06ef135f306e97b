#pragma once
// The KVM backend: the same guests on /dev/kvm. The platform devices are served from the exits
// KVM_RUN returns to userspace (KVM_EXIT_IO, KVM_EXIT_MMIO, …); every event it records is
// labelled source kvm-run. What it can show depends on the host (kvm_host.h): on PVM, CPL0
// code is emulated, 32-bit paging is unsupported and VMCALL never returns (the watchdog
// stops it). Instructions are not counted: RunResult::instructions and every event's icount
// are 0, and --max-insns is not enforced.
#include "backend/backend.h"
#include "kvm_host.h"
#include "kvm_vm.h"
#include "kvm_watchdog.h"
#include "platform/platform.h"

#include <memory>
#include <optional>

namespace ringside::kvm {

/// Creates the KVM backend. Throws InputError, with a message that says how to fix it, when
/// this host cannot run it (no /dev/kvm, no permission, …).
std::unique_ptr<Backend> createKvmBackend();

class KvmBackend : public Backend {
public:
  explicit KvmBackend(HostProbe probe);

  std::string name() const override { return "kvm"; }
  Capabilities capabilities() const override { return capabilitiesFor(probe_); }
  void load(const GuestImage &image, const RunConfig &config) override;
  RunResult run() override;
  void requestStop() override { watchdog_.requestStop(); }
  const Platform &platform() const override { return *platform_; }
  Trace &trace() override { return trace_; }
  bool readGuestPhysical(uint64_t gpa, void *dst, size_t n) const override;

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
  VcpuWatchdog watchdog_;
  RunConfig config_;
  std::optional<RunResult> result_;
};

} // namespace ringside::kvm
