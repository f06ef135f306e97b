// External interrupts on the emu backend. The platform's timer raises IRQ 0 at a clock value
// (retired instructions plus time spent halted: deterministic); the backend checks at block
// boundaries, after intercepted instructions and on HLT, and then does what a VT-x VMM does:
// - the guest runs: an external-interrupt exit (pin-based control), then the interrupt is
//   injected on the next VM entry through the VM-entry interruption information;
// - the guest has RFLAGS.IF = 0: the VMM asks for an interrupt window (primary control bit
//   2) and injects at the interrupt-window exit;
// - a guest-written hypervisor's nested guest: its VMCS decides (external-interrupt exiting
//   with or without "acknowledge interrupt on exit", interrupt-window exiting), else the
//   interrupt goes through the nested guest's IDT.
#include "arch/exit_reasons.h"
#include "emu/emu_backend.h"
#include "emu/uc_state.h"
#include "emu/virtual_cpu.h"
#include "vmx/vmx_controls.h"

namespace ringside::emu {
namespace {

constexpr uint64_t kRflagsIf = 1u << 9;
constexpr uint64_t kNoDeadline = ~0ull;

} // namespace

void EmuBackend::refreshTimer() {
  timerDeadline_ = platform_.nextInterruptAt().value_or(kNoDeadline);
  if (platform_.pendingInterrupt())
    interruptWatch_ = true;
}

bool EmuBackend::serviceInterrupts(bool afterHltExit) {
  VirtualView view(*this); // trap/bt: the guest's virtual IF decides
  platform_.advanceClock(clock());
  const bool ifOn = reg(UC_X86_REG_RFLAGS) & kRflagsIf;
  const bool shadow = UcStateEditor(uc_).interruptShadow();
  const bool windowOpen = ifOn && !shadow;
  auto vector = platform_.pendingInterrupt();
  bool ok = true;
  bool handled = false;

  if (nonRoot()) {
    GuestOperation op;
    if (vector) {
      // External-interrupt exiting exits whatever RFLAGS.IF says.
      op.op = GuestOp::ExternalInterrupt;
      op.vector = *vector;
      ExitDecision d = decide(op);
      if (d.exits()) {
        if (d.info.intrInfo >> 31) // "acknowledge interrupt on exit": the vector is taken
          platform_.acknowledgeInterrupt();
        ok = nestedExit(d.info);
        handled = true;
      }
    }
    if (!handled && windowOpen) { // the guest hypervisor's control decides
      op = GuestOperation{};
      op.op = GuestOp::InterruptWindow;
      ExitDecision d = decide(op);
      if (d.exits()) {
        ok = nestedExit(d.info);
        handled = true;
      }
    }
  }

  shadowSkip_ = ifOn && shadow ? linearPc() : ~0ull; // let the shadowed instruction run
  if (!handled && vector && windowOpen) {
    uint8_t vec = *platform_.acknowledgeInterrupt();
    bool exited = afterHltExit;
    if (!nonRoot()) {
      GuestOperation op;
      if (windowRequested_) {
        // The window the VMM asked for opened: that exit, then the injection.
        op.op = GuestOp::InterruptWindow;
        windowRequested_ = false;
      } else if (!afterHltExit) {
        op.op = GuestOp::ExternalInterrupt;
        op.vector = vec;
      }
      if (op.op != GuestOp::None) {
        ExitDecision d = decide(op);
        if (d.exits()) {
          vmExit(d.info);
          exited = true;
        }
        if (op.op == GuestOp::InterruptWindow)
          vmcs_.set(vmcs::CpuBasedControls,
                    vmcs_.get(vmcs::CpuBasedControls) & ~uint64_t(ctl::IntrWindowExiting));
      }
    }
    injecting_ = true;
    ok = deliver(PendingEvent{vec, EventType::External, false, 0}, reg(UC_X86_REG_RIP));
    injecting_ = false;
    if (ok && exited && !nonRoot())
      vmEntry(true, vec);
    handled = true;
  } else if (!handled && vector && !nonRoot() && !windowRequested_) {
    // The guest cannot take it yet: KVM sets interrupt-window exiting and lets it run.
    windowRequested_ = true;
    vmcs_.set(vmcs::CpuBasedControls,
              vmcs_.get(vmcs::CpuBasedControls) | uint64_t(ctl::IntrWindowExiting));
  }

  // Keep checking at every block while an interrupt or a window exit waits for IF.
  interruptWatch_ =
      platform_.pendingInterrupt().has_value() ||
      (nonRoot() && (nestedVmcs()->get(vmcs::CpuBasedControls) & ctl::IntrWindowExiting));
  timerDeadline_ = platform_.nextInterruptAt().value_or(kNoDeadline);
  return ok;
}

bool EmuBackend::haltUntilInterrupt(uint64_t nextRip, bool afterHltExit) {
  setReg(UC_X86_REG_RIP, nextRip);
  ++icount_;
  {
    UcStateEditor state(uc_); // HLT retired: its interrupt shadow (STI; HLT) is over
    state.clearInterruptShadow();
    state.commit();
  }
  platform_.advanceClock(clock());
  if (!platform_.pendingInterrupt()) {
    auto at = platform_.nextInterruptAt();
    if (at && *at > clock())
      idle_ += *at - clock(); // the CPU sleeps until the edge
  }
  return serviceInterrupts(afterHltExit);
}

} // namespace ringside::emu
