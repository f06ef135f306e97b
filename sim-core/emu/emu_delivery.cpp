// Exceptions and interrupts on the emu backend. Unicorn reports exceptions to a hook and never
// consults the guest's IDT, so the monitor delivers them: it asks cpu/interrupt_delivery for
// the architectural plan and applies it (stack frame, CS/SS with the new CPL, RIP, RFLAGS),
// escalating to #DF and to a triple fault as the SDM's table 6-5 says.
#include "arch/exit_reasons.h"
#include "cpu/descriptors.h"
#include "emu/emu_backend.h"
#include "emu/sensitive_insns.h"
#include "emu/uc_state.h"
#include "emu/virtual_cpu.h"
#include "util/hex.h"

#include <cstdio>

namespace ringside::emu {
namespace {

class MonitorMemory : public LinearMemory {
public:
  explicit MonitorMemory(ShadowMmu &mmu) : mmu_(mmu) {}
  bool read(uint64_t linear, void *dst, size_t n) const override {
    return mmu_.readLinear(linear, dst, n);
  }

private:
  ShadowMmu &mmu_;
};

SegmentCache cacheFromDescriptor(uint16_t selector, uint64_t raw) {
  SegmentDescriptor d = decodeSegmentDescriptor(raw);
  return SegmentCache{selector, d.base, d.limit, static_cast<uint32_t>(raw >> 32)};
}

} // namespace

bool EmuBackend::handleException(uint8_t vector) {
  uint32_t errorCode = pending_.errorCode;
  clearExceptionLatch(uc_);
  uint64_t rip = reg(UC_X86_REG_RIP);
  if ((vector == 13 || vector == 8) && kernelRing1_ && cpl() == 1) {
    // Trap-and-emulate: the deprivileged kernel ran a privileged instruction (or one whose
    // privilege check the ring-1 CPL fails). The VMM emulates it; a real guest fault
    // faults again on the virtual state and is delivered to the guest from there. After a
    // hidden page fault Unicorn's #DF latch (see below) reports that #GP as #DF.
    uint64_t pc = linearPc();
    if (auto d = decodeAt(pc); d && (vector == 13 || faultsAtRing1(*d)))
      return takeOver(pc, *d, "gp");
  }
  if (vector == 8) {
    // Unicorn never delivers an exception, so it never has one in progress: a #DF from it is
    // its latch (unicorn#1883) armed by an earlier fault it handled without us. Disarmed
    // above; run the instruction again and its own fault arrives with its own vector.
    if (++spuriousDoubleFaults_ > 4) {
      finish(StopKind::Error, 0, "internal: Unicorn keeps reporting #DF at rip=" + hex(rip));
      return false;
    }
    return true;
  }
  spuriousDoubleFaults_ = 0;
  if (vector == 6) {
    // QEMU ends a translation block before an opcode it cannot translate, so the block scan
    // never sees VMX instructions: they arrive here as #UD, and the VT-x model runs them.
    uint64_t pc = linearPc();
    if (auto d = decodeAt(pc); d && d->cls == InsnClass::Vmx)
      return handleIntercept(pc);
  }
  if (vector == 14) {
    // Read in the hook: Unicorn 2.0.1 leaves a different value in CR2 once uc_emu_start
    // has returned.
    uint64_t cr2 = pending_.cr2;
    hiddenFaultStreak_ = cr2 == lastFaultCr2_ ? hiddenFaultStreak_ + 1 : 0;
    lastFaultCr2_ = cr2;
    if (hiddenFaultStreak_ > 16) {
      finish(StopKind::Error, 0, "internal: the shadow MMU could not resolve a page fault");
      return false;
    }
    const Access access = faultAccess(linearPc(), cr2);
    auto outcome = mmu_->handlePageFault(cr2, access, (errorCode & 2) != 0);
    if (outcome.tableWrite) {
      lastFaultCr2_ = ~0ull; // the write is emulated: progress, not a fault that repeats
      return emulateTableWrite(cr2, access);
    }
    if (outcome.windowFilled) {
      // Progress, not a fault that repeats. The access retries where a page's own region
      // resolved it within the block (the unmapped hook): bt's translation goes on.
      lastFaultCr2_ = ~0ull;
      if (vcpu_)
        vcpu_->resumesBlock = true;
    }
    if (outcome.nestedEpt)
      return nestedEptExit(outcome); // the nested guest's EPT exit (emu_nested_ept.cpp)
    if (outcome.eptExit)
      modelledEptExit(outcome.eptExit, outcome.eptQualification, outcome.eptGpa);
    if (outcome.failed) {
      finish(StopKind::Error, 0, outcome.error);
      return false;
    }
    if (!outcome.inject)
      return true; // a hidden fault: the shadow was filled, the access retries
    hiddenFaultStreak_ = 0;
    return deliver(PendingEvent{14, EventType::HardwareException, true, outcome.errorCode}, rip,
                   cr2);
  }
  bool hasError = pushesErrorCode(vector);
  return deliver(
      PendingEvent{vector, EventType::HardwareException, hasError, hasError ? errorCode : 0}, rip);
}

bool EmuBackend::deliver(PendingEvent event, uint64_t returnRip, uint64_t cr2) {
  VirtualView view(*this); // trap/bt: events are delivered on the guest's virtual CPU
  const uint64_t rip = reg(UC_X86_REG_RIP);
  const bool realMode = !(reg(UC_X86_REG_CR0) & 1);
  if (realMode)
    event.hasErrorCode = false;
  MonitorMemory memory(*mmu_);
  bool intercepted = false;
  const uint64_t cr2Before = guestCr2_;
  std::string why;
  for (int attempt = 0; attempt < 3; ++attempt) {
    bool software =
        event.type == EventType::SoftwareInterrupt || event.type == EventType::SoftwareException;
    if (event.vector == 14)
      guestCr2_ = cr2;
    record(ExceptionEvent{event.vector, event.hasErrorCode, event.errorCode, rip,
                          event.vector == 14 ? cr2 : 0, software});
    // The exception bitmap (and #PF error-code mask/match) of the VMCS decide the exit.
    GuestOperation op;
    op.op = GuestOp::Exception;
    op.vector = event.vector;
    op.interruptionType =
        event.type == EventType::SoftwareInterrupt   ? InterruptionType::SoftwareInterrupt
        : event.type == EventType::SoftwareException ? InterruptionType::SoftwareException
        : event.type == EventType::External          ? InterruptionType::ExternalInterrupt
        : event.vector == 1 && returnRip != rip      ? InterruptionType::PrivilegedSoftwareException
                                                     : InterruptionType::HardwareException;
    op.hasErrorCode = event.hasErrorCode;
    op.errorCode = event.errorCode;
    op.linearAddress = cr2;
    op.insnLength = static_cast<uint8_t>(returnRip - rip);
    ExitDecision decision = injecting_ ? ExitDecision{} : decide(op);
    if (decision.exits() && nonRoot()) {
      // The nested guest's hypervisor takes the exception: nothing is delivered, and a #PF
      // does not load CR2 (SDM 27.1).
      if (event.vector == 14)
        guestCr2_ = cr2Before;
      return nestedExit(decision.info);
    }
    if (decision.exits() && !intercepted) {
      vmExit(decision.info);
      intercepted = true;
    }
    uint8_t before = realMode ? 0 : cpl();
    DeliveryPlan plan = planDelivery(snapshot(returnRip), event, memory);
    std::optional<PendingEvent> nested;
    if (plan.ok && applyPlan(plan, nested)) {
      if (intercepted)
        vmEntry(true, event.vector);
      if (!realMode && plan.newCpl != before)
        record(RingEvent{before, plan.newCpl, RingCause::Interrupt, plan.newRip});
      return true;
    }
    PendingEvent fault = plan.ok ? *nested : plan.fault;
    why += (why.empty() ? "" : "; ") +
           (plan.ok ? std::string("the stack push faulted") : plan.explanation);
    if (event.vector == 8)
      break; // a fault while delivering #DF: shutdown
    if (fault.vector == 14)
      cr2 = guestCr2_;
    if (causesDoubleFault(event.vector, fault.vector))
      event = PendingEvent{8, EventType::HardwareException, true, 0};
    else
      event = fault;
    returnRip = rip;
  }
  GuestOperation shutdown;
  shutdown.op = GuestOp::TripleFault;
  ExitDecision decision = decide(shutdown);
  if (decision.exits() && nonRoot())
    return nestedExit(decision.info); // a nested guest's triple fault is its hypervisor's exit
  if (decision.exits())
    vmExit(decision.info);
  finish(StopKind::Shutdown, 0, "triple fault: " + why);
  return false;
}

bool EmuBackend::applyPlan(const DeliveryPlan &plan, std::optional<PendingEvent> &nested) {
  for (const auto &w : plan.writes) {
    if (!mmu_->writeLinear(w.linear, w.bytes.data(), w.bytes.size())) {
      Translation t = translate(guestPaging(), *ram_, w.linear, Access{true, false, false}, false);
      guestCr2_ = w.linear;
      nested = PendingEvent{14, EventType::HardwareException, true, t.errorCode};
      return false;
    }
  }
  if (!(reg(UC_X86_REG_CR0) & 1)) {
    setReg(UC_X86_REG_CS, plan.newCs); // a real-mode load: base = selector * 16
  } else {
    uc_x86_mmr gdtr{};
    uc_reg_read(uc_, UC_X86_REG_GDTR, &gdtr);
    uint64_t raw = 0;
    mmu_->readLinear(gdtr.base + (plan.newCs & ~7u), &raw, 8);
    uint16_t cs = static_cast<uint16_t>((plan.newCs & ~3u) | plan.newCpl);
    UcStateEditor state(uc_);
    state.loadSegment(SegIndex::Cs, cacheFromDescriptor(cs, raw));
    if (plan.stackSwitch) {
      if (efer() & (1u << 10)) {
        // IA-32e: SS becomes a null selector whose RPL is the new CPL.
        state.loadSegment(SegIndex::Ss,
                          SegmentCache{plan.newSs, 0, 0, uint32_t(plan.newCpl) << 13});
      } else {
        uint64_t ssRaw = 0;
        mmu_->readLinear(gdtr.base + (plan.newSs & ~7u), &ssRaw, 8);
        state.loadSegment(SegIndex::Ss, cacheFromDescriptor(plan.newSs, ssRaw));
      }
    }
    state.commit();
  }
  setReg(UC_X86_REG_RSP, plan.newRsp);
  setReg(UC_X86_REG_RFLAGS, plan.newRflags);
  setReg(UC_X86_REG_RIP, plan.newRip);
  stateDirty_ = true;
  markDescriptorAccessed(plan.newCs);
  if (plan.stackSwitch)
    markDescriptorAccessed(plan.newSs);
  return true;
}

} // namespace ringside::emu
