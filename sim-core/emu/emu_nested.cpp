// A guest-written hypervisor on the emu backend. Unicorn raises #UD for every VMX instruction;
// the monitor intercepts them before they run and executes them on the VT-x model
// (vmx/vmx_machine.h), whose VMCS regions live at the guest-physical addresses the guest
// hypervisor chose. VMLAUNCH/VMRESUME load the nested guest's state from that VMCS into this
// vCPU; from then on each sensitive operation of the nested guest is put to the guest
// hypervisor's VMCS first (emu_vmx.cpp decide()), and an exit saves the nested guest's state
// there and loads the host state, so the guest hypervisor continues at its HOST_RIP.
//
// What Ringside itself does meanwhile is the VMM of the outer level: each VMX instruction of
// the guest hypervisor is a VM exit to it (reasons 18-27, 50, 53), recorded as such; the exits
// it handles for the nested guest without involving the guest hypervisor are not recorded.
#include "arch/exit_reasons.h"
#include "emu/nested_cpu.h"
#include "emu/uc_state.h"
#include "vmx/vmx_msrs.h"

#include <array>

namespace ringside::emu {
namespace {

constexpr uint64_t kCr0Pe = 1, kCr0Pg = 1ull << 31, kCr0Wp = 1ull << 16;
constexpr uint64_t kCr4Pae = 1ull << 5, kCr4Vmxe = 1ull << 13;
constexpr uint64_t kEferMsr = 0xC0000080, kEferLme = 1ull << 8, kEferLma = 1ull << 10;
constexpr uint64_t kRflagsVm = 1ull << 17;
constexpr uint32_t kDescPresent = 1u << 15;
constexpr uint32_t kArUnusable = 1u << 16;

struct VmxMnemonic {
  ZydisMnemonic mnemonic;
  GuestOp op;
};
constexpr std::array kVmxMnemonics = {
    VmxMnemonic{ZYDIS_MNEMONIC_VMXON, GuestOp::Vmxon},
    VmxMnemonic{ZYDIS_MNEMONIC_VMXOFF, GuestOp::Vmxoff},
    VmxMnemonic{ZYDIS_MNEMONIC_VMCLEAR, GuestOp::Vmclear},
    VmxMnemonic{ZYDIS_MNEMONIC_VMPTRLD, GuestOp::Vmptrld},
    VmxMnemonic{ZYDIS_MNEMONIC_VMPTRST, GuestOp::Vmptrst},
    VmxMnemonic{ZYDIS_MNEMONIC_VMREAD, GuestOp::Vmread},
    VmxMnemonic{ZYDIS_MNEMONIC_VMWRITE, GuestOp::Vmwrite},
    VmxMnemonic{ZYDIS_MNEMONIC_VMLAUNCH, GuestOp::Vmlaunch},
    VmxMnemonic{ZYDIS_MNEMONIC_VMRESUME, GuestOp::Vmresume},
    VmxMnemonic{ZYDIS_MNEMONIC_INVEPT, GuestOp::Invept},
    VmxMnemonic{ZYDIS_MNEMONIC_INVVPID, GuestOp::Invvpid},
};

GuestOp vmxOp(ZydisMnemonic m) {
  for (const auto &e : kVmxMnemonics)
    if (e.mnemonic == m)
      return e.op;
  return GuestOp::None;
}

// Segment descriptor flags (the descriptor's high dword, as QEMU keeps them) ↔ VMCS access
// rights (SDM table 24-2): the same bits with the base 23:16 byte removed.
uint32_t accessRights(uint32_t flags) {
  return (flags & kDescPresent) ? (flags >> 8) & 0xF0FF : kArUnusable;
}
uint32_t descriptorFlags(uint32_t ar) { return (ar & kArUnusable) ? 0 : (ar & 0xF0FF) << 8; }

uint8_t segmentIndex(ZydisRegister r) {
  switch (r) {
  case ZYDIS_REGISTER_ES:
    return 0;
  case ZYDIS_REGISTER_CS:
    return 1;
  case ZYDIS_REGISTER_SS:
    return 2;
  case ZYDIS_REGISTER_FS:
    return 4;
  case ZYDIS_REGISTER_GS:
    return 5;
  default:
    return 3;
  }
}

uint64_t readMsr(uc_engine *uc, uint32_t index) {
  uc_x86_msr msr{index, 0};
  uc_reg_read(uc, UC_X86_REG_MSR, &msr);
  return msr.value;
}

void writeMsr(uc_engine *uc, uint32_t index, uint64_t value) {
  uc_x86_msr msr{index, value};
  uc_reg_write(uc, UC_X86_REG_MSR, &msr);
}

} // namespace

VmxCpuMode EmuBackend::NestedCpu::mode() const {
  if (!(b_.reg(UC_X86_REG_CR0) & kCr0Pe))
    return VmxCpuMode::Real;
  if (b_.reg(UC_X86_REG_RFLAGS) & kRflagsVm)
    return VmxCpuMode::Virtual8086;
  switch (b_.codeMode()) {
  case CodeMode::Long64:
    return VmxCpuMode::Long64;
  case CodeMode::Compat16:
  case CodeMode::Compat32:
    return VmxCpuMode::Compatibility;
  default:
    return VmxCpuMode::Protected;
  }
}

void EmuBackend::resetNested() {
  featureControl_ = 0;
  injecting_ = false;
  nestedCpu_ = std::make_unique<NestedCpu>(*this);
  vmx_ = std::make_unique<VmxMachine>(*nestedCpu_);
  vmx_->setListener([this](uint64_t region, const VmcsEvent &e) {
    VmcsEvent tagged = e;
    tagged.region = region;
    record(tagged);
  });
}

const Vmcs *EmuBackend::nestedVmcs() { return vmx_ ? vmx_->currentVmcs() : nullptr; }

std::optional<uint64_t> EmuBackend::operandAddress(const DecodedInsn &d,
                                                   const ZydisDecodedOperand &op) {
  ZydisRegisterContext context = registerContext();
  ZyanU64 ea = 0;
  if (ZYAN_FAILED(ZydisCalcAbsoluteAddressEx(&d.insn, &op, reg(UC_X86_REG_RIP), &context, &ea)))
    return std::nullopt;
  // Segment bases count outside 64-bit mode (and FS/GS in it).
  UcStateEditor state(uc_);
  uint8_t seg = segmentIndex(op.mem.segment);
  if (codeMode() != CodeMode::Long64 || seg >= 4)
    ea += state.segment(static_cast<SegIndex>(seg)).base;
  if (codeMode() != CodeMode::Long64)
    ea &= 0xFFFFFFFF;
  return ea;
}

// A monitor access to a guest operand faulted: the guest takes the #PF the access would have.
bool EmuBackend::memoryFault(uint64_t linear, bool write) {
  Access access{write, cpl() == 3, false};
  Translation t = translate(guestPaging(), *ram_, linear, access, false);
  return deliver(PendingEvent{14, EventType::HardwareException, true, t.errorCode},
                 reg(UC_X86_REG_RIP), linear);
}

// VM-exit instruction information for the outer VMM's exit (SDM table 28-13/14).
InsnOperand EmuBackend::vmxOperand(const DecodedInsn &d) const {
  InsnOperand o;
  const ZydisDecodedOperand *mem = nullptr;
  for (unsigned i = 0; i < d.insn.operand_count_visible; ++i) {
    const auto &op = d.operands[i];
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY)
      mem = &op;
  }
  // VMREAD r/m, reg1… VMWRITE reg2, r/m: the register that is not the r/m operand goes in reg2.
  if (d.insn.mnemonic == ZYDIS_MNEMONIC_VMREAD || d.insn.mnemonic == ZYDIS_MNEMONIC_VMWRITE ||
      d.insn.mnemonic == ZYDIS_MNEMONIC_INVEPT || d.insn.mnemonic == ZYDIS_MNEMONIC_INVVPID) {
    bool read = d.insn.mnemonic == ZYDIS_MNEMONIC_VMREAD;
    const auto &rm = d.operands[read ? 0 : 1];
    const auto &other = d.operands[read ? 1 : 0];
    o.reg2 = static_cast<uint8_t>(gprIndex(other.reg.value));
    if (rm.type == ZYDIS_OPERAND_TYPE_REGISTER) {
      o.isRegister = true;
      o.reg1 = static_cast<uint8_t>(gprIndex(rm.reg.value));
    }
  }
  if (mem) {
    o.scale = static_cast<uint8_t>(mem->mem.scale == 8   ? 3
                                   : mem->mem.scale == 4 ? 2
                                   : mem->mem.scale == 2 ? 1
                                                         : 0);
    o.addrSize = static_cast<uint8_t>(d.insn.address_width == 16   ? 0
                                      : d.insn.address_width == 32 ? 1
                                                                   : 2);
    o.segment = segmentIndex(mem->mem.segment);
    if (int i = gprIndex(mem->mem.index); i >= 0) {
      o.index = static_cast<uint8_t>(i);
      o.indexValid = true;
    }
    if (int b = gprIndex(mem->mem.base); b >= 0) {
      o.base = static_cast<uint8_t>(b);
      o.baseValid = true;
    }
    o.displacement = static_cast<uint64_t>(mem->mem.disp.value);
  }
  return o;
}

bool EmuBackend::handleVmxInstruction(const DecodedInsn &d, uint64_t linear) {
  (void)linear;
  const uint64_t rip = reg(UC_X86_REG_RIP);
  const unsigned len = d.insn.length;
  GuestOp op = vmxOp(d.insn.mnemonic);
  const bool long64 = codeMode() == CodeMode::Long64;
  auto mask = [long64](uint64_t v) { return long64 ? v : v & 0xFFFFFFFF; };

  // Operands are read before the model runs: a fault reading one is the guest's #PF.
  uint64_t pointer = 0, encoding = 0, value = 0, type = 0, desc[2] = {0, 0};
  std::optional<uint64_t> address;
  for (unsigned i = 0; i < d.insn.operand_count_visible; ++i)
    if (d.operands[i].type == ZYDIS_OPERAND_TYPE_MEMORY)
      address = operandAddress(d, d.operands[i]);
  switch (op) {
  case GuestOp::Vmxon:
  case GuestOp::Vmclear:
  case GuestOp::Vmptrld:
    if (!address || !mmu_->readLinear(*address, &pointer, 8))
      return memoryFault(address.value_or(0), false);
    break;
  case GuestOp::Vmread:
    encoding = mask(gpr(gprIndex(d.operands[1].reg.value)));
    break;
  case GuestOp::Vmwrite:
    encoding = mask(gpr(gprIndex(d.operands[0].reg.value)));
    if (d.operands[1].type == ZYDIS_OPERAND_TYPE_REGISTER) {
      value = mask(gpr(gprIndex(d.operands[1].reg.value)));
    } else if (!address || !mmu_->readLinear(*address, &value, long64 ? 8 : 4)) {
      return memoryFault(address.value_or(0), false);
    }
    break;
  case GuestOp::Invept:
  case GuestOp::Invvpid:
    type = mask(gpr(gprIndex(d.operands[0].reg.value)));
    if (!address || !mmu_->readLinear(*address, desc, sizeof desc))
      return memoryFault(address.value_or(0), false);
    break;
  default:
    break;
  }

  // Outside VMX non-root operation, Ringside is the VMM the instruction exits to.
  GuestOperation g;
  g.op = op;
  g.insnLength = static_cast<uint8_t>(len);
  g.operand = vmxOperand(d);
  bool outerExit = false;
  if (!nonRoot()) {
    ExitDecision decision = decide(g);
    if (decision.exits()) {
      vmExit(decision.info);
      outerExit = true;
    }
  }

  VmxResult r;
  switch (op) {
  case GuestOp::Vmxon:
    r = vmx_->vmxon(pointer);
    break;
  case GuestOp::Vmxoff:
    r = vmx_->vmxoff();
    break;
  case GuestOp::Vmclear:
    r = vmx_->vmclear(pointer);
    break;
  case GuestOp::Vmptrld:
    r = vmx_->vmptrld(pointer);
    break;
  case GuestOp::Vmptrst: {
    uint64_t pa = 0;
    if (!address || !mmu_->linearToPhysical(*address, true, pa))
      return memoryFault(address.value_or(0), true);
    r = vmx_->vmptrst(pa);
    pointer = pa;
    break;
  }
  case GuestOp::Vmread:
    r = vmx_->vmread(encoding);
    break;
  case GuestOp::Vmwrite:
    r = vmx_->vmwrite(encoding, value);
    break;
  case GuestOp::Vmlaunch:
    r = vmx_->vmlaunch();
    break;
  case GuestOp::Vmresume:
    r = vmx_->vmresume();
    break;
  case GuestOp::Invept:
    r = vmx_->invept(type, desc[0], desc[1]);
    break;
  case GuestOp::Invvpid:
    r = vmx_->invvpid(type, desc[0], desc[1]);
    break;
  default:
    return deliver(PendingEvent{6, EventType::HardwareException, false, 0}, rip);
  }

  VmxInsnEvent ev;
  ev.insn = std::string(guestOpInfo(op).name);
  ev.status = std::string(vmxStatusName(r.status));
  ev.error = r.error;
  ev.operand = op == GuestOp::Vmread || op == GuestOp::Vmwrite   ? encoding
               : op == GuestOp::Invept || op == GuestOp::Invvpid ? type
                                                                 : pointer;
  ev.value = op == GuestOp::Vmwrite ? value : r.value;
  ev.rip = rip;
  ev.why = std::string(r.why);
  if (r.status != VmxStatus::NestedExit)
    record(ev);

  switch (r.status) {
  case VmxStatus::Ud:
    return deliver(PendingEvent{6, EventType::HardwareException, false, 0}, rip);
  case VmxStatus::Gp:
    return deliver(PendingEvent{13, EventType::HardwareException, true, 0}, rip);
  case VmxStatus::NestedExit: {
    // A VMX instruction in the nested guest: an exit to the guest hypervisor.
    ExitDecision decision = decideExit(*vmx_->currentVmcs(), g);
    return nestedExit(decision.info);
  }
  case VmxStatus::Entered: {
    ++icount_;
    loadVmxState(*r.transition);
    const auto &t = *r.transition;
    bool inject = t.injection >> 31;
    auto vector = static_cast<uint8_t>(t.injection);
    record(EntryEvent{reg(UC_X86_REG_RIP), inject, inject ? vector : uint8_t(0), true});
    if (inject) {
      // SDM 26.6: the injected event is delivered through the nested guest's IDT, after the
      // guest state is loaded, and is never subject to the exception bitmap.
      unsigned type = (t.injection >> 8) & 7;
      EventType et = type == 0   ? EventType::External
                     : type == 4 ? EventType::SoftwareInterrupt
                     : type == 6 ? EventType::SoftwareException
                                 : EventType::HardwareException;
      bool hasError = (t.injection >> 11) & 1;
      uint64_t at = reg(UC_X86_REG_RIP);
      uint64_t back = (type == 4 || type == 5 || type == 6) ? at + t.injectionLength : at;
      injecting_ = true;
      bool ok = deliver(PendingEvent{vector, et, hasError, t.injectionErrorCode}, back);
      injecting_ = false;
      return ok;
    }
    // Interrupt-window and external-interrupt exits can happen before the first instruction.
    return serviceInterrupts();
  }
  case VmxStatus::EntryFailed: {
    // SDM 26.8: like a VM exit to the guest hypervisor, but no guest state was saved.
    ++icount_;
    record(ExitEvent{r.exitReason, nestedVmcs()->get(vmcs::ExitQualification), rip, 0,
                     EventSource::Model, true});
    loadVmxState(*r.transition);
    return true;
  }
  default:
    break;
  }

  // VMsucceed / VMfail: the instruction completes; VMREAD stores its value.
  if (op == GuestOp::Vmread && r.status == VmxStatus::Succeed) {
    if (d.operands[0].type == ZYDIS_OPERAND_TYPE_REGISTER) {
      setGpr(gprIndex(d.operands[0].reg.value), r.value, long64 ? 8 : 4);
    } else {
      uint64_t v = mask(r.value);
      if (!address || !mmu_->writeLinear(*address, &v, long64 ? 8 : 4))
        return memoryFault(address.value_or(0), true);
    }
  }
  if (r.flush)
    mmu_->flushAll(); // records the tlb event
  setReg(UC_X86_REG_RIP, rip + len);
  ++icount_;
  if (outerExit)
    vmEntry();
  return true;
}

bool EmuBackend::handleVmxMsr(const DecodedInsn &d, uint64_t rip) {
  auto index = static_cast<uint32_t>(gpr(1));
  bool write = d.cls == InsnClass::Wrmsr;
  auto capability = vmxCapabilityMsr(index);
  if (index != kFeatureControlMsr && !capability)
    return false;
  // RDMSR/WRMSR above CPL 0 never get here: the exit decision's privilege check gave #GP.
  if (!write) {
    uint64_t v = index == kFeatureControlMsr ? featureControl_ : *capability;
    setGpr(0, v & 0xFFFFFFFF, 4);
    setGpr(2, v >> 32, 4);
  } else {
    uint64_t v = (gpr(2) & 0xFFFFFFFF) << 32 | (gpr(0) & 0xFFFFFFFF);
    // The capability MSRs are read-only; IA32_FEATURE_CONTROL is writable until locked, and
    // only its lock and VMX-enable bits are modelled.
    if (capability || (featureControl_ & feature_control::Lock) ||
        (v & ~(feature_control::Lock | feature_control::VmxInsideSmx |
               feature_control::VmxOutsideSmx))) {
      deliver(PendingEvent{13, EventType::HardwareException, true, 0}, rip);
      return true;
    }
    featureControl_ = v;
  }
  setReg(UC_X86_REG_RIP, rip + d.insn.length);
  ++icount_;
  return true;
}

bool EmuBackend::nestedExit(const ExitInfo &info) {
  record(ExitEvent{info.reason, info.qualification, reg(UC_X86_REG_RIP),
                   static_cast<uint8_t>(info.instructionCaused ? info.insnLength : 0),
                   EventSource::Model, true});
  auto t = vmx_->vmExit(info, captureVmxState());
  if (!t) {
    finish(StopKind::Error, 0, "internal: nested exit without a nested guest");
    return false;
  }
  loadVmxState(*t);
  return true;
}

VmxRegisterState EmuBackend::captureVmxState() const {
  VmxRegisterState s;
  s.cr0 = guestCr0_;
  s.cr3 = guestCr3_;
  s.cr4 = guestCr4_;
  s.rsp = reg(UC_X86_REG_RSP);
  s.rip = reg(UC_X86_REG_RIP);
  s.rflags = reg(UC_X86_REG_RFLAGS);
  s.dr7 = reg(UC_X86_REG_DR7);
  UcStateEditor state(uc_);
  for (int i = 0; i < 6; ++i) {
    SegmentCache c = state.segment(static_cast<SegIndex>(i));
    s.seg[size_t(i)] = SegmentState{c.selector, c.base, c.limit, accessRights(c.flags)};
  }
  uc_x86_mmr ldtr{}, tr{}, gdtr{}, idtr{};
  uc_reg_read(uc_, UC_X86_REG_LDTR, &ldtr);
  uc_reg_read(uc_, UC_X86_REG_TR, &tr);
  uc_reg_read(uc_, UC_X86_REG_GDTR, &gdtr);
  uc_reg_read(uc_, UC_X86_REG_IDTR, &idtr);
  s[SegReg::Ldtr] = SegmentState{ldtr.selector, ldtr.base, ldtr.limit,
                                 (ldtr.selector & 0xFFFC) ? accessRights(ldtr.flags) : kArUnusable};
  s[SegReg::Tr] = SegmentState{tr.selector, tr.base, tr.limit, accessRights(tr.flags)};
  s.gdtrBase = gdtr.base;
  s.gdtrLimit = gdtr.limit;
  s.idtrBase = idtr.base;
  s.idtrLimit = idtr.limit;
  s.sysenterCs = static_cast<uint32_t>(readMsr(uc_, 0x174));
  s.sysenterEsp = readMsr(uc_, 0x175);
  s.sysenterEip = readMsr(uc_, 0x176);
  s.efer = efer();
  s.pat = readMsr(uc_, 0x277);
  return s;
}

// Loads a VM entry's guest state or a VM exit's host state into the vCPU. The control
// registers are the guest's virtual ones; Unicorn runs with the shadow MMU's (as for MOV CR).
void EmuBackend::loadVmxState(const VmxTransition &t) {
  const VmxRegisterState &s = t.state;
  uint64_t eferNow = efer();
  uint64_t efer = (eferNow & ~t.eferMask) | (s.efer & t.eferMask);
  // Under a nested EPT Unicorn pages even when the nested guest does not (emu_nested_ept.cpp).
  const bool nestedEpt = applyNestedEpt(s.cr0) && mmu_->nestedEptActive();
  bool paging = (s.cr0 & kCr0Pg) || (nestedEpt && (s.cr0 & kCr0Pe));

  guestCr0_ = s.cr0;
  guestCr3_ = s.cr3;
  guestCr4_ = s.cr4;
  uint64_t realCr4 = (s.cr4 & ~kCr4Vmxe) | (paging ? kCr4Pae : 0);
  uint64_t realCr0 = s.cr0 | (paging ? kCr0Pg | kCr0Wp : 0);
  mmu_->setGuestPaging(PagingState{s.cr0, s.cr3, s.cr4, efer});
  setReg(UC_X86_REG_CR4, realCr4);
  // IA32_EFER.LMA cannot be written; QEMU sets and clears it as CR0.PG changes with LME set,
  // so a change of LMA goes through paging off and on again.
  if (((eferNow ^ efer) & kEferLma) && (reg(UC_X86_REG_CR0) & kCr0Pg))
    setReg(UC_X86_REG_CR0, reg(UC_X86_REG_CR0) & ~kCr0Pg);
  writeMsr(uc_, kEferMsr, efer & ~kEferLma);
  if ((efer & kEferLma) && !(efer & kEferLme))
    writeMsr(uc_, kEferMsr, efer | kEferLme); // LMA needs LME for QEMU to set it
  setReg(UC_X86_REG_CR0, realCr0);
  setReg(UC_X86_REG_CR3, paging ? mmu_->shadowRoot() : s.cr3);
  eferCache_.reset();

  uc_x86_mmr gdtr{0, s.gdtrBase, s.gdtrLimit, 0}, idtr{0, s.idtrBase, s.idtrLimit, 0};
  uc_reg_write(uc_, UC_X86_REG_GDTR, &gdtr);
  uc_reg_write(uc_, UC_X86_REG_IDTR, &idtr);
  const auto &l = s[SegReg::Ldtr], &tr = s[SegReg::Tr];
  uc_x86_mmr ldtr{l.selector, l.base, l.limit, descriptorFlags(l.accessRights)};
  uc_x86_mmr trm{tr.selector, tr.base, tr.limit, descriptorFlags(tr.accessRights)};
  uc_reg_write(uc_, UC_X86_REG_LDTR, &ldtr);
  uc_reg_write(uc_, UC_X86_REG_TR, &trm);
  writeMsr(uc_, 0x174, s.sysenterCs);
  writeMsr(uc_, 0x175, s.sysenterEsp);
  writeMsr(uc_, 0x176, s.sysenterEip);
  if (t.loadPat)
    writeMsr(uc_, 0x277, s.pat);
  if (t.loadDr7)
    setReg(UC_X86_REG_DR7, s.dr7);
  for (const auto &m : t.msrs)
    writeMsr(uc_, m.index, m.value);

  {
    // After the CR and EFER writes: loading CS reads LMA from the hidden flags.
    UcStateEditor state(uc_);
    for (int i = 0; i < 6; ++i) {
      const auto &g = s.seg[size_t(i)];
      state.loadSegment(static_cast<SegIndex>(i),
                        SegmentCache{g.selector, g.base, g.limit, descriptorFlags(g.accessRights)});
    }
    state.commit();
  }
  setReg(UC_X86_REG_RSP, s.rsp);
  setReg(UC_X86_REG_RFLAGS, s.rflags);
  setReg(UC_X86_REG_RIP, s.rip);
  eferCache_.reset();
  stateDirty_ = true;
}

} // namespace ringside::emu
