// The platform timer on the KVM backend. The PIT and PIC models are the platform's own, in
// userspace (the emu backend uses the same ones), and KVM is told about their interrupts the
// way QEMU does without a kernel irqchip: KVM_INTERRUPT when kvm_run says the vCPU can take
// one, else request_interrupt_window and a KVM_EXIT_IRQ_WINDOW_OPEN when it can. Time is wall
// time (the 8254's 1.193182 MHz), so unlike on emu the instants differ from run to run; a
// kick from the watchdog thread gets the vCPU out of KVM_RUN when the timer is due.
#include "arch/exit_reasons.h"
#include "kvm_backend.h"

#include <sys/ioctl.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace ringside::kvm {
namespace {

constexpr double kPitHz = 1193182.0;
constexpr uint16_t kInterruptWindow = 7; // VMX basic exit reason

} // namespace

uint64_t KvmBackend::timerClock() const {
  std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - clockStart_;
  return static_cast<uint64_t>(elapsed.count() * kPitHz);
}

bool KvmBackend::prepareInterrupts() {
  kvm_run *run = vm_->run();
  // A guest that never programs the timer pays nothing here (the exit-heavy benchmarks).
  if (!kickArmed_ && !platform_->nextInterruptAt() && !platform_->pendingInterrupt()) {
    run->request_interrupt_window = 0;
    return true;
  }
  platform_->advanceClock(timerClock());
  if (platform_->pendingInterrupt()) {
    if (run->ready_for_interrupt_injection && run->if_flag) {
      uint8_t vector = *platform_->acknowledgeInterrupt();
      kvm_interrupt irq{vector};
      if (ioctl(vm_->vcpuFd(), KVM_INTERRUPT, &irq) < 0) {
        finish(StopKind::Error, 0,
               std::string("KVM_INTERRUPT failed: ") + std::strerror(errno) +
                   " (this host cannot take interrupts from userspace)");
        return false;
      }
      record(EntryEvent{exitRip(), true, vector});
      run->request_interrupt_window = 0;
    } else {
      run->request_interrupt_window = 1;
    }
  } else {
    run->request_interrupt_window = 0;
  }
  if (auto at = platform_->nextInterruptAt()) {
    auto when = clockStart_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(double(*at) / kPitHz));
    watchdog_.kickAt(when);
    kickArmed_ = true;
  } else if (kickArmed_) {
    watchdog_.cancelKick();
    kickArmed_ = false;
  }
  return true;
}

bool KvmBackend::onIrqWindowOpen() {
  exitEvent(kInterruptWindow, 0);
  return true; // prepareInterrupts injects before the next KVM_RUN
}

bool KvmBackend::sleepUntilInterrupt() {
  platform_->advanceClock(timerClock());
  while (!platform_->pendingInterrupt()) {
    auto at = platform_->nextInterruptAt();
    if (!at)
      return false;
    if (watchdog_.shouldStop())
      return true; // the run loop reports the stop
    uint64_t now = timerClock();
    if (*at > now) {
      auto wait = std::chrono::duration<double>(double(*at - now) / kPitHz);
      std::this_thread::sleep_for(std::min<std::chrono::duration<double>>(
          wait, std::chrono::milliseconds(20))); // stay responsive to stop requests
    }
    platform_->advanceClock(timerClock());
  }
  // kvm_run's flags still describe the HLT exit (IF = 1): the interrupt goes in next.
  return true;
}

} // namespace ringside::kvm
