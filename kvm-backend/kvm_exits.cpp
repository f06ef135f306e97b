// What the KVM backend does with each exit KVM_RUN returns to userspace.
#include "arch/exit_reasons.h"
#include "kvm_backend.h"
#include "util/hex.h"
#include "vmx/exit_decision.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

namespace ringside::kvm {
namespace {

struct Suberror {
  uint32_t number;
  const char *what;
};

// KVM_EXIT_INTERNAL_ERROR sub-errors (uapi linux/kvm.h KVM_INTERNAL_ERROR_*).
constexpr std::array kSuberrors{
    Suberror{KVM_INTERNAL_ERROR_EMULATION, "KVM could not emulate an instruction"},
    Suberror{KVM_INTERNAL_ERROR_SIMUL_EX, "KVM met an exception while delivering another"},
    Suberror{KVM_INTERNAL_ERROR_DELIVERY_EV, "KVM could not deliver an event to the guest"},
    Suberror{KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON,
             "KVM got a hardware exit it does not handle"},
};

uint64_t mask(unsigned size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

} // namespace

const KvmBackend::ExitRoute *KvmBackend::routeFor(uint32_t reason) {
  static constexpr std::array<ExitRoute, 10> kRoutes{{
      {KVM_EXIT_IO, "KVM_EXIT_IO", &KvmBackend::onIo},
      {KVM_EXIT_MMIO, "KVM_EXIT_MMIO", &KvmBackend::onMmio},
      {KVM_EXIT_HLT, "KVM_EXIT_HLT", &KvmBackend::onHlt},
      {KVM_EXIT_SHUTDOWN, "KVM_EXIT_SHUTDOWN", &KvmBackend::onShutdown},
      {KVM_EXIT_FAIL_ENTRY, "KVM_EXIT_FAIL_ENTRY", &KvmBackend::onFailEntry},
      {KVM_EXIT_INTERNAL_ERROR, "KVM_EXIT_INTERNAL_ERROR", &KvmBackend::onInternalError},
      {KVM_EXIT_DEBUG, "KVM_EXIT_DEBUG", &KvmBackend::onDebug},
      {KVM_EXIT_INTR, "KVM_EXIT_INTR", &KvmBackend::onInterrupted},
      {KVM_EXIT_IRQ_WINDOW_OPEN, "KVM_EXIT_IRQ_WINDOW_OPEN", &KvmBackend::onIrqWindowOpen},
      {KVM_EXIT_X86_WRMSR, "KVM_EXIT_X86_WRMSR", &KvmBackend::onWrmsr},
  }};
  for (const auto &r : kRoutes)
    if (r.reason == reason)
      return &r;
  return nullptr;
}

bool KvmBackend::dispatchExit() {
  uint32_t reason = vm_->run()->exit_reason;
  if (const ExitRoute *route = routeFor(reason))
    return (this->*route->handler)();
  finish(StopKind::Error, 0,
         "unhandled KVM exit reason " + std::to_string(reason) + " at rip=" + hex(exitRip()));
  return false;
}

// Port I/O. String I/O (INS/OUTS, REP or not) arrives as one exit with `count` elements in the
// data page, and is recorded as one io event with that count. KVM does not say whether the
// port was an immediate or whether REP was used: count > 1 is taken as REP string I/O.
bool KvmBackend::onIo() {
  if (isHypercallDoorbell())
    return onHypercallDoorbell();
  kvm_run *run = vm_->run();
  const auto &io = run->io;
  uint8_t *data = reinterpret_cast<uint8_t *>(run) + io.data_offset;
  bool in = io.direction == KVM_EXIT_IO_IN;
  bool string = io.count > 1;
  uint64_t rip = exitRip();
  exitEvent(exit_reason::IoInstruction,
            ioExitQualification(io.port, io.size, in, string, string, false));
  walkExitRip();
  for (uint32_t i = 0; i < io.count; ++i) {
    uint8_t *element = data + size_t(i) * io.size;
    uint32_t value = 0;
    if (in) {
      value = platform_->portRead(0, io.port, io.size);
      std::memcpy(element, &value, io.size);
    } else {
      std::memcpy(&value, element, io.size);
    }
    if (i == 0) // one event for the whole string, with the first element's value
      record(IoEvent{io.port, io.size, !in, value, io.count, rip, EventSource::KvmRun});
    if (!in)
      platform_->portWrite(0, io.port, io.size, value);
  }
  retireAtUserspaceExit();
  if (auto code = platform_->exitCode()) {
    finish(StopKind::ExitPort, *code, "the guest wrote " + std::to_string(*code) + " to port 0xf4");
    return false;
  }
  entryEvent();
  return true;
}

// An access to guest-physical memory no slot backs: the VGA window, or above RAM. On VMX, KVM
// serves MMIO through deliberately misconfigured EPT entries, so the hardware exit behind this
// is EPT_MISCONFIG (49); on PVM it is a shadow-paging fault, but userspace sees the same.
bool KvmBackend::onMmio() {
  auto &mmio = vm_->run()->mmio;
  uint8_t size = static_cast<uint8_t>(mmio.len);
  exitEvent(exit_reason::EptMisconfig, 0);
  walkExitRip();
  if (mmuModel_) // --mmu ept: what the modelled VMM's EPT makes of the access (labelled model)
    mmuModel_->deviceAccess(mmio.phys_addr, mmio.is_write);
  uint8_t device = static_cast<uint8_t>(platform_->deviceAt(mmio.phys_addr));
  if (mmio.is_write) {
    uint64_t value = 0;
    std::memcpy(&value, mmio.data, std::min<size_t>(size, 8));
    record(MmioEvent{mmio.phys_addr, size, true, value & mask(size), device, EventSource::KvmRun});
    platform_->mmioWrite(mmio.phys_addr, size, value & mask(size));
  } else {
    uint64_t value = platform_->mmioRead(mmio.phys_addr, size) & mask(size);
    std::memcpy(mmio.data, &value, std::min<size_t>(size, 8));
    record(MmioEvent{mmio.phys_addr, size, false, value, device, EventSource::KvmRun});
  }
  retireAtUserspaceExit();
  entryEvent();
  return true;
}

bool KvmBackend::onHlt() {
  exitEvent(exit_reason::Hlt, 0);
  bool interrupts = vm_->syncRegs() && (vm_->run()->s.regs.regs.rflags & (1u << 9));
  if (interrupts && sleepUntilInterrupt())
    return true; // the interrupt is injected before the next KVM_RUN
  finish(StopKind::Hlt, 0,
         interrupts ? "the guest halted with interrupts enabled; no device can wake it"
                    : "the guest halted");
  return false;
}

// A triple fault. KVM does not say which exceptions led to it (PVM logs them in dmesg).
bool KvmBackend::onShutdown() {
  exitEvent(exit_reason::TripleFault, 0);
  finish(StopKind::Shutdown, 0, "triple fault: the guest shut down (KVM_EXIT_SHUTDOWN)");
  return false;
}

bool KvmBackend::onFailEntry() {
  uint64_t why = vm_->run()->fail_entry.hardware_entry_failure_reason;
  finish(StopKind::Error, 0,
         "KVM could not enter the guest (KVM_EXIT_FAIL_ENTRY, hardware entry failure reason " +
             hex(why) + ") at rip=" + hex(exitRip()));
  return false;
}

bool KvmBackend::onInternalError() {
  const auto &internal = vm_->run()->internal;
  std::string what = "KVM reported an internal error";
  for (const auto &s : kSuberrors)
    if (s.number == internal.suberror)
      what = s.what;
  std::string message =
      what + " (suberror " + std::to_string(internal.suberror) + ") at rip=" + hex(exitRip());
  if (internal.suberror == KVM_INTERNAL_ERROR_EMULATION)
    message += "; on PVM, CPL0 code is emulated and SSE, POPCNT, INT3 and others are not "
               "supported there (run such code at CPL3 or on --backend emu)";
  finish(StopKind::Error, 0, message);
  return false;
}

// Outside --step guest debugging is not enabled, so a debug exit is unexpected.
bool KvmBackend::onDebug() {
  if (config_.singleStep)
    return onStep();
  const auto &dbg = vm_->run()->debug.arch;
  finish(StopKind::Error, 0,
         "unexpected KVM_EXIT_DEBUG (exception " + std::to_string(dbg.exception) +
             ", pc=" + hex(dbg.pc) + ")");
  return false;
}

// KVM_RUN came back because of a signal: the watchdog's timeout or requestStop().
bool KvmBackend::onInterrupted() {
  if (watchdog_.timedOut()) {
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%g", config_.timeoutSeconds);
    finish(StopKind::Timeout, 0, std::string("stopped after ") + seconds + " s (--timeout)");
    return false;
  }
  if (watchdog_.stopRequested()) {
    finish(StopKind::Timeout, 0, "stopped on request");
    return false;
  }
  return true; // another signal: go on
}

} // namespace ringside::kvm
