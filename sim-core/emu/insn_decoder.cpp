#include "emu/insn_decoder.h"

#include <algorithm>
#include <array>

namespace ringside::emu {
namespace {

struct MnemonicClass {
  ZydisMnemonic mnemonic;
  InsnClass cls;
};

// The sensitive instructions the monitor wants to see before they run.
constexpr std::array kClasses = {
    MnemonicClass{ZYDIS_MNEMONIC_IN, InsnClass::In},
    MnemonicClass{ZYDIS_MNEMONIC_OUT, InsnClass::Out},
    MnemonicClass{ZYDIS_MNEMONIC_INSB, InsnClass::StringIo},
    MnemonicClass{ZYDIS_MNEMONIC_INSW, InsnClass::StringIo},
    MnemonicClass{ZYDIS_MNEMONIC_INSD, InsnClass::StringIo},
    MnemonicClass{ZYDIS_MNEMONIC_OUTSB, InsnClass::StringIo},
    MnemonicClass{ZYDIS_MNEMONIC_OUTSW, InsnClass::StringIo},
    MnemonicClass{ZYDIS_MNEMONIC_OUTSD, InsnClass::StringIo},
    MnemonicClass{ZYDIS_MNEMONIC_HLT, InsnClass::Hlt},
    MnemonicClass{ZYDIS_MNEMONIC_CPUID, InsnClass::Cpuid},
    MnemonicClass{ZYDIS_MNEMONIC_RDMSR, InsnClass::Rdmsr},
    MnemonicClass{ZYDIS_MNEMONIC_WRMSR, InsnClass::Wrmsr},
    MnemonicClass{ZYDIS_MNEMONIC_CLTS, InsnClass::Clts},
    MnemonicClass{ZYDIS_MNEMONIC_LMSW, InsnClass::Lmsw},
    MnemonicClass{ZYDIS_MNEMONIC_INVLPG, InsnClass::Invlpg},
    MnemonicClass{ZYDIS_MNEMONIC_RDTSC, InsnClass::Rdtsc},
    MnemonicClass{ZYDIS_MNEMONIC_RDTSCP, InsnClass::Rdtscp},
    MnemonicClass{ZYDIS_MNEMONIC_INT, InsnClass::SoftInt},
    MnemonicClass{ZYDIS_MNEMONIC_INT3, InsnClass::Int3},
    MnemonicClass{ZYDIS_MNEMONIC_INTO, InsnClass::Into},
    MnemonicClass{ZYDIS_MNEMONIC_INT1, InsnClass::Int1},
    MnemonicClass{ZYDIS_MNEMONIC_VMCALL, InsnClass::Vmcall},
    MnemonicClass{ZYDIS_MNEMONIC_INVD, InsnClass::Invd},
    MnemonicClass{ZYDIS_MNEMONIC_XSETBV, InsnClass::Xsetbv},
    MnemonicClass{ZYDIS_MNEMONIC_IRET, InsnClass::Iret},
    MnemonicClass{ZYDIS_MNEMONIC_IRETD, InsnClass::Iret},
    MnemonicClass{ZYDIS_MNEMONIC_IRETQ, InsnClass::Iret},
    MnemonicClass{ZYDIS_MNEMONIC_SYSCALL, InsnClass::SystemCall},
    MnemonicClass{ZYDIS_MNEMONIC_SYSRET, InsnClass::SystemCall},
    MnemonicClass{ZYDIS_MNEMONIC_SYSENTER, InsnClass::SystemCall},
    MnemonicClass{ZYDIS_MNEMONIC_SYSEXIT, InsnClass::SystemCall},
    MnemonicClass{ZYDIS_MNEMONIC_VMXON, InsnClass::Vmx},
    MnemonicClass{ZYDIS_MNEMONIC_VMXOFF, InsnClass::Vmx},
    MnemonicClass{ZYDIS_MNEMONIC_VMCLEAR, InsnClass::Vmx},
    MnemonicClass{ZYDIS_MNEMONIC_VMPTRLD, InsnClass::Vmx},
    MnemonicClass{ZYDIS_MNEMONIC_VMPTRST, InsnClass::Vmx},
    MnemonicClass{ZYDIS_MNEMONIC_VMREAD, InsnClass::Vmx},
    MnemonicClass{ZYDIS_MNEMONIC_VMWRITE, InsnClass::Vmx},
    MnemonicClass{ZYDIS_MNEMONIC_VMLAUNCH, InsnClass::Vmx},
    MnemonicClass{ZYDIS_MNEMONIC_VMRESUME, InsnClass::Vmx},
    MnemonicClass{ZYDIS_MNEMONIC_INVEPT, InsnClass::Vmx},
    MnemonicClass{ZYDIS_MNEMONIC_INVVPID, InsnClass::Vmx},
};

ZydisMachineMode machineMode(CodeMode m) {
  switch (m) {
  case CodeMode::Real16:
    return ZYDIS_MACHINE_MODE_REAL_16;
  case CodeMode::Prot16:
    return ZYDIS_MACHINE_MODE_LEGACY_16;
  case CodeMode::Prot32:
    return ZYDIS_MACHINE_MODE_LEGACY_32;
  case CodeMode::Long64:
    return ZYDIS_MACHINE_MODE_LONG_64;
  case CodeMode::Compat32:
    return ZYDIS_MACHINE_MODE_LONG_COMPAT_32;
  case CodeMode::Compat16:
    return ZYDIS_MACHINE_MODE_LONG_COMPAT_16;
  }
  return ZYDIS_MACHINE_MODE_LEGACY_32;
}

ZydisStackWidth stackWidth(CodeMode m) {
  switch (m) {
  case CodeMode::Long64:
    return ZYDIS_STACK_WIDTH_64;
  case CodeMode::Prot32:
  case CodeMode::Compat32:
    return ZYDIS_STACK_WIDTH_32;
  default:
    return ZYDIS_STACK_WIDTH_16;
  }
}

// Each general register at 64, 32, 16 and 8 bits, in SDM order.
constexpr std::array<std::array<ZydisRegister, 4>, 16> kGprs = {{
    {ZYDIS_REGISTER_RAX, ZYDIS_REGISTER_EAX, ZYDIS_REGISTER_AX, ZYDIS_REGISTER_AL},
    {ZYDIS_REGISTER_RCX, ZYDIS_REGISTER_ECX, ZYDIS_REGISTER_CX, ZYDIS_REGISTER_CL},
    {ZYDIS_REGISTER_RDX, ZYDIS_REGISTER_EDX, ZYDIS_REGISTER_DX, ZYDIS_REGISTER_DL},
    {ZYDIS_REGISTER_RBX, ZYDIS_REGISTER_EBX, ZYDIS_REGISTER_BX, ZYDIS_REGISTER_BL},
    {ZYDIS_REGISTER_RSP, ZYDIS_REGISTER_ESP, ZYDIS_REGISTER_SP, ZYDIS_REGISTER_SPL},
    {ZYDIS_REGISTER_RBP, ZYDIS_REGISTER_EBP, ZYDIS_REGISTER_BP, ZYDIS_REGISTER_BPL},
    {ZYDIS_REGISTER_RSI, ZYDIS_REGISTER_ESI, ZYDIS_REGISTER_SI, ZYDIS_REGISTER_SIL},
    {ZYDIS_REGISTER_RDI, ZYDIS_REGISTER_EDI, ZYDIS_REGISTER_DI, ZYDIS_REGISTER_DIL},
    {ZYDIS_REGISTER_R8, ZYDIS_REGISTER_R8D, ZYDIS_REGISTER_R8W, ZYDIS_REGISTER_R8B},
    {ZYDIS_REGISTER_R9, ZYDIS_REGISTER_R9D, ZYDIS_REGISTER_R9W, ZYDIS_REGISTER_R9B},
    {ZYDIS_REGISTER_R10, ZYDIS_REGISTER_R10D, ZYDIS_REGISTER_R10W, ZYDIS_REGISTER_R10B},
    {ZYDIS_REGISTER_R11, ZYDIS_REGISTER_R11D, ZYDIS_REGISTER_R11W, ZYDIS_REGISTER_R11B},
    {ZYDIS_REGISTER_R12, ZYDIS_REGISTER_R12D, ZYDIS_REGISTER_R12W, ZYDIS_REGISTER_R12B},
    {ZYDIS_REGISTER_R13, ZYDIS_REGISTER_R13D, ZYDIS_REGISTER_R13W, ZYDIS_REGISTER_R13B},
    {ZYDIS_REGISTER_R14, ZYDIS_REGISTER_R14D, ZYDIS_REGISTER_R14W, ZYDIS_REGISTER_R14B},
    {ZYDIS_REGISTER_R15, ZYDIS_REGISTER_R15D, ZYDIS_REGISTER_R15W, ZYDIS_REGISTER_R15B},
}};

} // namespace

InsnClass classify(const ZydisDecodedInstruction &insn, const ZydisDecodedOperand *operands) {
  if (insn.mnemonic == ZYDIS_MNEMONIC_MOV && insn.operand_count_visible == 2) {
    if (operands[0].type == ZYDIS_OPERAND_TYPE_REGISTER && crIndex(operands[0].reg.value) >= 0)
      return InsnClass::MovToCr;
    if (operands[1].type == ZYDIS_OPERAND_TYPE_REGISTER && crIndex(operands[1].reg.value) >= 0)
      return InsnClass::MovFromCr;
    return InsnClass::None;
  }
  if (insn.meta.branch_type == ZYDIS_BRANCH_TYPE_FAR &&
      (insn.mnemonic == ZYDIS_MNEMONIC_JMP || insn.mnemonic == ZYDIS_MNEMONIC_CALL ||
       insn.mnemonic == ZYDIS_MNEMONIC_RET))
    return InsnClass::FarBranch;
  for (const auto &entry : kClasses)
    if (entry.mnemonic == insn.mnemonic)
      return entry.cls;
  return InsnClass::None;
}

InsnDecoder::InsnDecoder() {
  for (int m = 0; m < 6; ++m)
    ZydisDecoderInit(&decoders_[m], machineMode(static_cast<CodeMode>(m)),
                     stackWidth(static_cast<CodeMode>(m)));
}

std::optional<DecodedInsn> InsnDecoder::decode(CodeMode mode, const uint8_t *bytes,
                                               size_t n) const {
  DecodedInsn d;
  if (ZYAN_FAILED(ZydisDecoderDecodeFull(&decoders_[static_cast<int>(mode)], bytes, n, &d.insn,
                                         d.operands)))
    return std::nullopt;
  // RETF is decoded with a far branch type only in some forms; mark all RETF as far.
  d.cls = classify(d.insn, d.operands);
  if (d.insn.mnemonic == ZYDIS_MNEMONIC_RET && bytes[d.insn.raw.prefix_count] >= 0xCA &&
      bytes[d.insn.raw.prefix_count] <= 0xCB)
    d.cls = InsnClass::FarBranch;
  return d;
}

std::vector<uint16_t>
InsnDecoder::split(CodeMode mode, const uint8_t *bytes, size_t n,
                   std::vector<std::pair<uint16_t, InsnClass>> *sensitive) const {
  std::vector<uint16_t> starts;
  size_t off = 0;
  while (off < n) {
    auto d = decode(mode, bytes + off, n - off);
    starts.push_back(static_cast<uint16_t>(off));
    if (!d)
      break; // the CPU raises #UD here; the block ends
    if (sensitive && d->cls != InsnClass::None)
      sensitive->emplace_back(static_cast<uint16_t>(off), d->cls);
    off += d->insn.length;
  }
  return starts;
}

int gprIndex(ZydisRegister reg) {
  for (int i = 0; i < 16; ++i)
    if (std::find(kGprs[i].begin(), kGprs[i].end(), reg) != kGprs[i].end())
      return i;
  return -1;
}

ZydisRegister gprRegister(int index, unsigned width) { return kGprs[index][width]; }

int crIndex(ZydisRegister reg) {
  if (reg >= ZYDIS_REGISTER_CR0 && reg <= ZYDIS_REGISTER_CR15)
    return reg - ZYDIS_REGISTER_CR0;
  return -1;
}

} // namespace ringside::emu
