// The emu backend's VMCS: the one a VT-x hypervisor keeps for this guest. Every intercepted
// operation is put to the VT-x model (vmx/exit_decision.h) under the chosen profile and
// overrides; a VM exit writes the exit information and the guest state into the VMCS (each
// change a `vmcs` event), and a VM entry writes back what the monitor changed.
#include "arch/exit_reasons.h"
#include "emu/emu_backend.h"
#include "errors.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmx_profile.h"

#include <array>

namespace ringside::emu {
namespace {

// Guest-state fields kept in step with the vCPU at every exit and entry.
constexpr std::array<uint32_t, 11> kSyncedFields = {vmcs::GuestRip,
                                                    0x681c /* GUEST_RSP */,
                                                    0x6820 /* GUEST_RFLAGS */,
                                                    vmcs::GuestCr0,
                                                    vmcs::GuestCr3,
                                                    vmcs::GuestCr4,
                                                    0x0802 /* GUEST_CS_SELECTOR */,
                                                    0x0804 /* GUEST_SS_SELECTOR */,
                                                    0x2806 /* GUEST_IA32_EFER */,
                                                    vmcs::Cr0ReadShadow,
                                                    vmcs::Cr4ReadShadow};

constexpr uint32_t kEnableEpt = 1u << 1; // secondary processor-based control

} // namespace

void EmuBackend::setupVmcs() {
  vmcs_ = Vmcs{};
  const VmxProfile *profile =
      config_.vmxProfile.empty() ? &defaultVmxProfile() : findVmxProfile(config_.vmxProfile);
  if (!profile) {
    std::string names;
    for (const auto &p : vmxProfiles())
      names += (names.empty() ? "" : ", ") + std::string(p.name);
    throw InputError("unknown VMX profile '" + config_.vmxProfile + "' (known: " + names + ")");
  }
  applyVmxProfile(vmcs_, *profile);
  std::string error;
  if (!applyVmxOverrides(vmcs_, config_.vmxOverrides, &error))
    throw InputError("--vmx-set: " + error);
  synced_.fill(~0ull);
  vmcs_.setListener([this](const VmcsEvent &e) { record(e); });
}

uint64_t EmuBackend::syncedValue(uint32_t encoding) const {
  switch (encoding) {
  case vmcs::GuestRip:
    return reg(UC_X86_REG_RIP);
  case 0x681c:
    return reg(UC_X86_REG_RSP);
  case 0x6820:
    return reg(UC_X86_REG_RFLAGS);
  case vmcs::GuestCr0:
    return reg(UC_X86_REG_CR0); // what the CPU runs with (the monitor's WP included)
  case vmcs::GuestCr3:
    // With EPT the guest's own CR3 is loaded; a shadow-paging monitor loads its shadow root.
    return (vmcs_.get(vmcs::SecondaryControls) & kEnableEpt) || !mmu_->pagingOn()
               ? guestCr3_
               : mmu_->shadowRoot();
  case vmcs::GuestCr4:
    return reg(UC_X86_REG_CR4);
  case 0x0802:
    return reg(UC_X86_REG_CS);
  case 0x0804:
    return reg(UC_X86_REG_SS);
  case 0x2806:
    return efer();
  case vmcs::Cr0ReadShadow:
    return guestCr0_;
  case vmcs::Cr4ReadShadow:
    return guestCr4_;
  }
  return 0;
}

void EmuBackend::syncGuestState() {
  // Only fields whose value changed are written, so a tight exit loop costs few writes. RIP,
  // RSP and RFLAGS change all the time; the rest only where the monitor ran or changed
  // something (a native step, a delivery, a CR write, a far transfer), which sets the flag.
  size_t count = stateDirty_ ? kSyncedFields.size() : 3;
  stateDirty_ = false;
  for (size_t i = 0; i < count; ++i) {
    uint64_t v = syncedValue(kSyncedFields[i]);
    if (v != synced_[i]) {
      synced_[i] = v;
      vmcs_.set(kSyncedFields[i], v);
    }
  }
}

ExitDecision EmuBackend::decide(GuestOperation op) {
  op.cpl = (reg(UC_X86_REG_CR0) & 1) ? cpl() : 0;
  // A nested guest's operations are put to its hypervisor's VMCS (emu_nested.cpp).
  if (const Vmcs *nested = nonRoot() ? nestedVmcs() : nullptr)
    return decideExit(*nested, op);
  return decideExit(vmcs_, op);
}

void EmuBackend::vmExit(const ExitInfo &info) {
  record(ExitEvent{info.reason, info.qualification, reg(UC_X86_REG_RIP),
                   static_cast<uint8_t>(info.instructionCaused ? info.insnLength : 0)});
  writeExitInfo(vmcs_, info);
  syncGuestState();
  mmu_->vmTransition(true, linearPc());
  lastFaultCr2_ = ~0ull; // --mmu shadow|ept: a fault on the same page after an exit is a new one
}

void EmuBackend::vmEntry(bool injecting, uint8_t vector) {
  syncGuestState();
  mmu_->vmTransition(true, linearPc());
  record(EntryEvent{reg(UC_X86_REG_RIP), injecting, vector});
}

GuestOperation EmuBackend::operationFor(const DecodedInsn &d, uint64_t linear) {
  GuestOperation op;
  op.insnLength = d.insn.length;
  switch (d.cls) {
  case InsnClass::In:
  case InsnClass::Out: {
    bool in = d.cls == InsnClass::In;
    const auto &data = in ? d.operands[0] : d.operands[1];
    const auto &port = in ? d.operands[1] : d.operands[0];
    op.op = GuestOp::Io;
    op.in = in;
    op.immediate = port.type == ZYDIS_OPERAND_TYPE_IMMEDIATE;
    op.port =
        op.immediate ? static_cast<uint16_t>(port.imm.value.u) : static_cast<uint16_t>(gpr(2));
    op.size =
        static_cast<uint8_t>(ZydisRegisterGetWidth(ZYDIS_MACHINE_MODE_LONG_64, data.reg.value) / 8);
    break;
  }
  case InsnClass::StringIo:
    op.op = GuestOp::Io;
    op.string = true;
    op.rep = d.insn.attributes & (ZYDIS_ATTRIB_HAS_REP | ZYDIS_ATTRIB_HAS_REPE);
    op.in = d.insn.mnemonic == ZYDIS_MNEMONIC_INSB || d.insn.mnemonic == ZYDIS_MNEMONIC_INSW ||
            d.insn.mnemonic == ZYDIS_MNEMONIC_INSD;
    op.port = static_cast<uint16_t>(gpr(2));
    op.size = static_cast<uint8_t>(d.insn.operand_width / 8);
    op.linearAddress = op.in ? gpr(7) : gpr(6); // flat segments assumed, as for INVLPG
    break;
  case InsnClass::Hlt:
    op.op = GuestOp::Hlt;
    break;
  case InsnClass::Cpuid:
    op.op = GuestOp::Cpuid;
    break;
  case InsnClass::Rdmsr:
  case InsnClass::Wrmsr:
    op.op = d.cls == InsnClass::Rdmsr ? GuestOp::Rdmsr : GuestOp::Wrmsr;
    op.msr = static_cast<uint32_t>(gpr(1));
    break;
  case InsnClass::MovToCr:
    op.op = GuestOp::MovToCr;
    op.cr = static_cast<unsigned>(crIndex(d.operands[0].reg.value));
    op.gpr = static_cast<unsigned>(gprIndex(d.operands[1].reg.value));
    op.value = gpr(static_cast<int>(op.gpr));
    break;
  case InsnClass::MovFromCr:
    op.op = GuestOp::MovFromCr;
    op.cr = static_cast<unsigned>(crIndex(d.operands[1].reg.value));
    op.gpr = static_cast<unsigned>(gprIndex(d.operands[0].reg.value));
    break;
  case InsnClass::Clts:
    op.op = GuestOp::Clts;
    break;
  case InsnClass::Lmsw:
    op.op = GuestOp::Lmsw;
    op.memoryOperand = d.operands[0].type == ZYDIS_OPERAND_TYPE_MEMORY;
    if (!op.memoryOperand)
      op.value = gpr(gprIndex(d.operands[0].reg.value)) & 0xFFFF;
    break;
  case InsnClass::Invlpg:
    op.op = GuestOp::Invlpg;
    op.linearAddress = invlpgAddress(d, reg(UC_X86_REG_RIP));
    break;
  case InsnClass::Rdtsc:
    op.op = GuestOp::Rdtsc;
    break;
  case InsnClass::Rdtscp:
    op.op = GuestOp::Rdtscp;
    break;
  case InsnClass::Vmcall:
    op.op = GuestOp::Vmcall;
    break;
  case InsnClass::Invd:
    op.op = GuestOp::Invd;
    break;
  case InsnClass::Xsetbv:
    op.op = GuestOp::Xsetbv;
    break;
  default:
    break; // INT n, IRET, far branches: not VM exits as such
  }
  (void)linear;
  return op;
}

const Vmcs *EmuBackend::modelVmcs() const { return &vmcs_; }

} // namespace ringside::emu
