// The monitor's handling of intercepted instructions: each is emulated here or run natively
// for one instruction (stepNative), and recorded as a VM exit when the VT-x model, under the
// run's VMX profile, says the hypervisor would see one (emu_vmx.cpp).
#include "arch/exit_reasons.h"
#include "emu/emu_backend.h"
#include "emu/uc_state.h"
#include "emu/virtual_cpu.h"
#include "platform/layout.h"

namespace ringside::emu {
namespace {

constexpr uint64_t kCr0Pg = 1ull << 31, kCr0Wp = 1ull << 16, kCr4Pae = 1ull << 5,
                   kCr4Vmxe = 1ull << 13;

unsigned registerBytes(ZydisRegister reg) {
  return ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, reg) / 8;
}

} // namespace

// Runs the instruction at `linear` natively and stops right after it. False when something
// else stopped the guest first (an exception inside it, the watchdog); pending_ then says what.
bool EmuBackend::stepNative(uint64_t linear, unsigned length) {
  stepping_ = linear;
  stepRip_ = reg(UC_X86_REG_RIP);
  stopAfter_ = linear + length;
  ensureHook(stopAfter_);
  pending_ = Pending{};
  uc_err err = emulate();
  // Native mode: the first touch of a page in a RAM window faults (shadow_mmu_window.cpp)
  // where a page's own region called the unmapped hook, which resolved it within the step.
  // Resolved the same way here, the step runs again (the faulting instruction did not retire).
  for (int retry = 0; retry < 4 && pending_.kind == Pending::Kind::Exception &&
                      pending_.vector == 14 && mmu_->windowMiss(pending_.cr2);
       ++retry) {
    syncInstructionCount(linearPc());
    clearExceptionLatch(uc_);
    Access access = faultAccess(linearPc(), pending_.cr2);
    access.write = pending_.errorCode & 2;
    std::string error;
    if (!mmu_->fillWindowMiss(pending_.cr2, access, error)) {
      if (!error.empty()) {
        pending_.kind = Pending::Kind::Error;
        pending_.error = error;
      }
      break; // an absent page: the #PF reports the guest's fault, as after the hook
    }
    pending_ = Pending{};
    err = emulate();
  }
  eferCache_.reset();
  stateDirty_ = true;
  stepping_ = ~0ull;
  stopAfter_ = ~0ull;
  if (pending_.kind == Pending::Kind::ResumePoint) {
    syncInstructionCount(pending_.linear);
    return true;
  }
  // Stopped before the resume point (a fault, an interrupt that is due, the watchdog): the
  // block hook counted the whole block, but only what precedes RIP retired.
  syncInstructionCount(linearPc());
  if (pending_.kind == Pending::Kind::None && err != UC_ERR_OK) {
    pending_.kind = Pending::Kind::Error;
    pending_.error = std::string("emulation failed: ") + uc_strerror(err);
  }
  return false;
}

bool EmuBackend::handleIntercept(uint64_t linear) {
  auto it = intercepts_.find(linear);
  auto d = it != intercepts_.end() && it->second.decoded ? it->second.decoded : decodeAt(linear);
  if (!d)
    return deliver(PendingEvent{6, EventType::HardwareException, false, 0}, reg(UC_X86_REG_RIP));
  unsigned len = d->insn.length;
  uint64_t rip = reg(UC_X86_REG_RIP);
  // Trap and bt: the deprivileged guest kernel (emu_deprivilege.cpp).
  if (kernelRing1_ && cpl() == 1)
    if (auto handled = handleDeprivileged(linear, *d))
      return *handled;
  // A site only trap or bt watch, reached where they let it run (user mode, the VMM).
  if (d->cls == InsnClass::None)
    return resolveStep(stepNative(linear, len));
  auto afterStep = [this](bool ok) { return resolveStep(ok); };

  // The VT-x model decides: #GP/#UD checks that come before any VM exit, then exit or not.
  GuestOperation op = operationFor(*d, linear);
  exit_.reset();
  if (op.op != GuestOp::None) {
    bool tsdFault =
        (op.op == GuestOp::Rdtsc || op.op == GuestOp::Rdtscp) && (guestCr4_ & (1u << 2));
    if (tsdFault && (reg(UC_X86_REG_CR0) & 1) && cpl() > 0)
      return deliver(PendingEvent{13, EventType::HardwareException, true, 0}, rip);
    if (op.op == GuestOp::Io && !ioPermitted(op.port, op.size))
      return deliver(PendingEvent{13, EventType::HardwareException, true, 0}, rip);
    ExitDecision decision = decide(op);
    if (decision.outcome == Outcome::Gp)
      return deliver(PendingEvent{13, EventType::HardwareException, true, 0}, rip);
    if (decision.outcome == Outcome::Ud)
      return deliver(PendingEvent{6, EventType::HardwareException, false, 0}, rip);
    // The nested guest's exits go to its hypervisor; the operation does not run. VMX
    // instructions are decided by the VMX model (the exit comes with its checks).
    if (decision.exits() && nonRoot() && d->cls != InsnClass::Vmx)
      return nestedExit(decision.info);
    if (decision.exits() && !nonRoot() && d->cls != InsnClass::Vmx)
      exit_ = decision.info;
  }
  auto takeExit = [this] {
    if (exit_)
      vmExit(*exit_);
  };
  auto resume = [this] {
    if (exit_)
      vmEntry();
  };

  switch (d->cls) {
  case InsnClass::In:
  case InsnClass::Out:
    return handlePortIo(*d, len);
  case InsnClass::StringIo: {
    takeExit();
    bool ok = stepNative(linear, len);
    if (ok)
      resume();
    if (auto code = platform_.exitCode()) {
      finish(StopKind::ExitPort, *code,
             "the guest wrote " + std::to_string(*code) + " to port 0xf4");
      return false;
    }
    return afterStep(ok);
  }
  case InsnClass::Hlt: {
    // Without HLT exiting the vCPU halts in the guest; nothing can wake it on this platform.
    takeExit();
    bool interrupts = reg(UC_X86_REG_RFLAGS) & (1u << 9);
    platform_.advanceClock(clock());
    if (interrupts && (platform_.pendingInterrupt() || platform_.nextInterruptAt()))
      return haltUntilInterrupt(rip + len, exit_.has_value());
    setReg(UC_X86_REG_RIP, rip + len);
    ++icount_;
    finish(StopKind::Hlt, 0,
           interrupts ? "the guest halted with interrupts enabled; no device can wake it"
                      : "the guest halted");
    return false;
  }
  case InsnClass::MovToCr:
    return handleMovToCr(*d, linear);
  case InsnClass::MovFromCr:
    takeExit();
    if (!handleMovFromCr(*d)) // CR8 is the real one: run it
      return afterStep(stepNative(linear, len)) && (resume(), true);
    setReg(UC_X86_REG_RIP, rip + len);
    ++icount_;
    resume();
    return true;
  case InsnClass::Invlpg:
    takeExit();
    mmu_->flushPage(op.linearAddress);
    setReg(UC_X86_REG_RIP, rip + len);
    ++icount_;
    resume();
    return true;
  case InsnClass::Rdtsc:
  case InsnClass::Rdtscp: {
    // A virtual TSC that ticks once per retired instruction keeps runs deterministic.
    takeExit();
    setGpr(0, icount_ & 0xFFFFFFFF, 4);
    setGpr(2, icount_ >> 32, 4);
    if (d->cls == InsnClass::Rdtscp)
      setGpr(1, 0, 4);
    setReg(UC_X86_REG_RIP, rip + len);
    ++icount_;
    resume();
    return true;
  }
  case InsnClass::SoftInt:
    return deliver(PendingEvent{static_cast<uint8_t>(d->operands[0].imm.value.u),
                                EventType::SoftwareInterrupt, false, 0},
                   rip + len);
  case InsnClass::Int3:
    return deliver(PendingEvent{3, EventType::SoftwareException, false, 0}, rip + len);
  case InsnClass::Into:
    if (!(reg(UC_X86_REG_RFLAGS) & (1u << 11))) {
      setReg(UC_X86_REG_RIP, rip + len);
      ++icount_;
      return true;
    }
    return deliver(PendingEvent{4, EventType::SoftwareException, false, 0}, rip + len);
  case InsnClass::Int1:
    return deliver(PendingEvent{1, EventType::HardwareException, false, 0}, rip + len);
  case InsnClass::Vmcall:
    if (technique_ == Technique::Native) // no hypervisor: VMCALL outside VMX is #UD
      return deliver(PendingEvent{6, EventType::HardwareException, false, 0}, rip);
    takeExit();
    if (!hypercall(rip))
      return false;
    setReg(UC_X86_REG_RIP, rip + len);
    ++icount_;
    resume();
    return true;
  case InsnClass::Iret:
  case InsnClass::FarBranch:
    // Runs natively; the CPL is compared once the next block starts.
    ringBefore_ = (reg(UC_X86_REG_CR0) & 1) ? cpl() : 0;
    ringCause_ = d->cls == InsnClass::Iret ? RingCause::Iret : RingCause::FarTransfer;
    ringCheck_ = 2;
    stepping_ = linear;
    return true;
  case InsnClass::SystemCall:
    // Unicorn 2.0.1 replaces these with a hook call; until the monitor emulates them they
    // raise #UD, so a guest never silently skips one.
    return deliver(PendingEvent{6, EventType::HardwareException, false, 0}, rip);
  case InsnClass::Vmx:
    return handleVmxInstruction(*d, linear);
  case InsnClass::Rdmsr:
  case InsnClass::Wrmsr:
    takeExit();
    if (handleVmxMsr(*d, rip) || handlePvMsr(*d, rip)) {
      resume();
      return !stopped_;
    }
    [[fallthrough]];
  case InsnClass::Cpuid:
  case InsnClass::Invd:
  case InsnClass::Xsetbv:
  case InsnClass::Lmsw:
  case InsnClass::Clts: {
    if (d->cls != InsnClass::Rdmsr && d->cls != InsnClass::Wrmsr)
      takeExit();
    uint64_t leaf = gpr(0);
    bool ok = stepNative(linear, len);
    // The modelled CPU has VMX (CPUID.1:ECX bit 5); Unicorn's CPU model does not.
    if (ok && d->cls == InsnClass::Cpuid && (leaf & 0xFFFFFFFF) == 1)
      setGpr(1, gpr(1) | (1u << 5), 4);
    if (ok && d->cls == InsnClass::Cpuid)
      hypervisorCpuid(static_cast<uint32_t>(leaf));
    if (ok && (d->cls == InsnClass::Lmsw || d->cls == InsnClass::Clts))
      guestCr0_ = (guestCr0_ & ~0xFull) | (reg(UC_X86_REG_CR0) & 0xF);
    if (ok && d->cls == InsnClass::Wrmsr && gpr(1) == 0xC0000080)
      mmu_->setGuestPaging(guestPaging()); // EFER.NXE/LME change what the tables mean
    if (ok)
      resume();
    return afterStep(ok);
  }
  case InsnClass::None:
    break;
  }
  return true;
}

// IN/OUT privilege (SDM vol. 1 §19.5): above IOPL the TSS I/O bitmap decides. Unicorn
// skips this check, and the #GP it gives has priority over the I/O VM exit.
bool EmuBackend::ioPermitted(uint16_t port, uint8_t size) {
  if (!(reg(UC_X86_REG_CR0) & 1))
    return true;
  // Trap and bt: the real IOPL is the VMM's (0); the guest's is virtual (emu_deprivilege.cpp).
  unsigned iopl = deprivileged_ && vcpu_ ? vcpu_->iopl : (reg(UC_X86_REG_RFLAGS) >> 12) & 3;
  if (cpl() <= iopl)
    return true;
  uc_x86_mmr tr{};
  uc_reg_read(uc_, UC_X86_REG_TR, &tr);
  uint16_t bitmap = 0;
  if (tr.limit < 0x67 || !mmu_->readLinear(tr.base + 0x66, &bitmap, 2))
    return false;
  for (unsigned p = port; p < unsigned(port) + size; ++p) {
    uint8_t bits = 0xFF;
    if (bitmap + p / 8 > tr.limit || !mmu_->readLinear(tr.base + bitmap + p / 8, &bits, 1) ||
        (bits >> (p % 8)) & 1)
      return false;
  }
  return true;
}

bool EmuBackend::handlePortIo(const DecodedInsn &d, unsigned length) {
  bool in = d.cls == InsnClass::In;
  const auto &dataOp = in ? d.operands[0] : d.operands[1];
  const auto &portOp = in ? d.operands[1] : d.operands[0];
  bool immediate = portOp.type == ZYDIS_OPERAND_TYPE_IMMEDIATE;
  uint16_t port =
      immediate ? static_cast<uint16_t>(portOp.imm.value.u) : static_cast<uint16_t>(gpr(2));
  uint8_t size = static_cast<uint8_t>(registerBytes(dataOp.reg.value));
  uint64_t rip = reg(UC_X86_REG_RIP);
  if (exit_)
    vmExit(*exit_);
  platform_.advanceClock(clock());
  uint32_t value;
  if (in) {
    value = platform_.portRead(icount_, port, size);
    record(IoEvent{port, size, false, value, 1, rip});
    setGpr(0, value, size);
  } else {
    uint64_t mask = size == 4 ? 0xFFFFFFFFull : (1ull << (8 * size)) - 1;
    value = static_cast<uint32_t>(gpr(0) & mask);
    record(IoEvent{port, size, true, value, 1, rip});
    platform_.portWrite(icount_, port, size, value);
  }
  setReg(UC_X86_REG_RIP, rip + length);
  ++icount_;
  refreshTimer();
  if (auto code = platform_.exitCode()) {
    finish(StopKind::ExitPort, *code, "the guest wrote " + std::to_string(*code) + " to port 0xf4");
    return false;
  }
  if (exit_)
    vmEntry();
  return true;
}

// After a native step that did not complete: handle whatever stopped it.
bool EmuBackend::resolveStep(bool ok) {
  if (ok)
    return true;
  Pending p = pending_;
  switch (p.kind) {
  case Pending::Kind::Exception:
    return handleException(p.vector);
  case Pending::Kind::InvalidOpcode:
    return deliver(PendingEvent{6, EventType::HardwareException, false, 0}, reg(UC_X86_REG_RIP));
  case Pending::Kind::Error:
    finish(StopKind::Error, 0, p.error);
    return false;
  default:
    return true; // the watchdog: the run loop sees its flag
  }
}

bool EmuBackend::handleMovFromCr(const DecodedInsn &d) {
  int cr = crIndex(d.operands[1].reg.value);
  int dst = gprIndex(d.operands[0].reg.value);
  uint64_t value;
  switch (cr) {
  case 0:
    value = guestCr0_;
    break;
  case 2:
    value = guestCr2_;
    break;
  case 3:
    value = guestCr3_;
    break;
  case 4:
    value = guestCr4_;
    break;
  default:
    return false;
  }
  // A nested guest sees its hypervisor's read shadows where the guest/host mask is set.
  if (const Vmcs *nested = nonRoot() ? nestedVmcs() : nullptr; nested && (cr == 0 || cr == 4))
    value = guestVisibleCr(*nested, static_cast<unsigned>(cr), value);
  setGpr(dst, value, registerBytes(d.operands[0].reg.value) == 8 ? 8 : 4);
  return true;
}

// The guest's CR0/CR3/CR4 are virtual: Unicorn's real ones keep WP set (so the shadow's
// read-only entries hold for supervisor writes), PAE set while paging (the shadow's format)
// and CR3 at the shadow root. The instruction runs natively with its source register
// holding the real value, so QEMU performs the mode switch itself.
bool EmuBackend::handleMovToCr(const DecodedInsn &d, uint64_t linear) {
  int cr = crIndex(d.operands[0].reg.value);
  int src = gprIndex(d.operands[1].reg.value);
  unsigned len = d.insn.length;
  uint64_t value = gpr(src);
  if (cr == 2) {
    // CR2 is virtual too: the shadow MMU's hidden faults overwrite the real one.
    guestCr2_ = value;
    setReg(UC_X86_REG_RIP, reg(UC_X86_REG_RIP) + len);
    ++icount_;
    return true;
  }
  if (cr != 0 && cr != 3 && cr != 4)
    return resolveStep(stepNative(linear, len));
  if (exit_)
    vmExit(*exit_);

  uint64_t cr0 = guestCr0_, cr3 = guestCr3_, cr4 = guestCr4_;
  (cr == 0 ? cr0 : cr == 3 ? cr3 : cr4) = value;
  bool pagingBefore = guestCr0_ & kCr0Pg, pagingAfter = cr0 & kCr0Pg;
  uint64_t real = value;
  // CR4.VMXE is virtual: Unicorn's CPU has no VMX and would refuse it. While the guest is in
  // VMX operation it cannot clear it.
  if (cr == 4 && vmx_->inVmxOperation() && !(value & kCr4Vmxe))
    return deliver(PendingEvent{13, EventType::HardwareException, true, 0}, reg(UC_X86_REG_RIP));
  if (cr == 4)
    real &= ~kCr4Vmxe;
  // A nested guest under EPT runs on shadow entries even with its paging off.
  const bool shadowPaging = pagingAfter || (mmu_->nestedEptActive() && (cr0 & 1));
  if (cr == 0 && shadowPaging)
    real |= kCr0Wp | kCr0Pg;
  if (cr == 4 && shadowPaging)
    real |= kCr4Pae;
  if (cr == 3 && pagingAfter)
    real = mmu_->shadowRoot();

  if (cr == 3 && !pagingAfter) {
    guestCr3_ = value; // only remembered until the guest turns paging on
    stateDirty_ = true;
    setReg(UC_X86_REG_RIP, reg(UC_X86_REG_RIP) + len);
    ++icount_;
    return true;
  }
  if (!pagingBefore && pagingAfter) {
    // Paging comes on: build the shadow first, so the next fetch goes through it.
    guestCr0_ = cr0;
    guestCr4_ = cr4;
    // EFER.LMA becomes 1 as this instruction completes when LME is set: walk as long mode.
    uint64_t eferNow = efer();
    if (eferNow & (1u << 8))
      eferNow |= 1u << 10;
    mmu_->setGuestPaging(PagingState{cr0, cr3, cr4, eferNow});
    setReg(UC_X86_REG_CR4, reg(UC_X86_REG_CR4) | kCr4Pae);
    setReg(UC_X86_REG_CR3, mmu_->shadowRoot());
  }
  setGpr(src, real, 8);
  bool ok = stepNative(linear, len);
  setGpr(src, value, 8);
  if (!ok)
    return resolveStep(false);
  guestCr0_ = cr0;
  guestCr3_ = cr3;
  guestCr4_ = cr4;
  applyGuestPaging(cr0, cr3, cr4);
  if (exit_)
    vmEntry();
  return true;
}

void EmuBackend::applyGuestPaging(uint64_t cr0, uint64_t cr3, uint64_t cr4) {
  PagingState now{cr0, cr3, cr4, efer()};
  const PagingState &was = mmu_->guestPaging();
  // Any change while paging is on rebuilds the shadow (a CR3 load flushes the TLB).
  if (now.cr0 != was.cr0 || now.cr3 != was.cr3 || now.cr4 != was.cr4 || now.efer != was.efer)
    mmu_->setGuestPaging(now);
}

} // namespace ringside::emu
