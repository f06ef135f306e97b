#include "emu/sensitive_insns.h"

namespace ringside::emu {
namespace {

bool isSreg(const ZydisDecodedOperand &op, bool csOrSsOnly) {
  if (op.type != ZYDIS_OPERAND_TYPE_REGISTER)
    return false;
  switch (op.reg.value) {
  case ZYDIS_REGISTER_CS:
  case ZYDIS_REGISTER_SS:
    return true;
  case ZYDIS_REGISTER_DS:
  case ZYDIS_REGISTER_ES:
  case ZYDIS_REGISTER_FS:
  case ZYDIS_REGISTER_GS:
    return !csOrSsOnly;
  default:
    return false;
  }
}

} // namespace

Leak leakOf(const DecodedInsn &d) {
  switch (d.insn.mnemonic) {
  case ZYDIS_MNEMONIC_PUSHF:
  case ZYDIS_MNEMONIC_PUSHFD:
  case ZYDIS_MNEMONIC_PUSHFQ:
    return Leak::Pushf;
  case ZYDIS_MNEMONIC_POPF:
  case ZYDIS_MNEMONIC_POPFD:
  case ZYDIS_MNEMONIC_POPFQ:
    return Leak::Popf;
  case ZYDIS_MNEMONIC_SGDT:
    return Leak::Sgdt;
  case ZYDIS_MNEMONIC_SIDT:
    return Leak::Sidt;
  case ZYDIS_MNEMONIC_SLDT:
    return Leak::Sldt;
  case ZYDIS_MNEMONIC_STR:
    return Leak::Str;
  case ZYDIS_MNEMONIC_SMSW:
    return Leak::Smsw;
  case ZYDIS_MNEMONIC_LAR:
    return Leak::Lar;
  case ZYDIS_MNEMONIC_LSL:
    return Leak::Lsl;
  case ZYDIS_MNEMONIC_VERR:
    return Leak::Verr;
  case ZYDIS_MNEMONIC_VERW:
    return Leak::Verw;
  case ZYDIS_MNEMONIC_PUSH:
    return isSreg(d.operands[0], true) ? Leak::PushSreg : Leak::None;
  case ZYDIS_MNEMONIC_MOV:
    return isSreg(d.operands[1], true) ? Leak::MovSreg : Leak::None;
  default:
    return Leak::None;
  }
}

bool privilegedUnscanned(const DecodedInsn &d) {
  switch (d.insn.mnemonic) {
  case ZYDIS_MNEMONIC_CLI:
  case ZYDIS_MNEMONIC_STI:
  case ZYDIS_MNEMONIC_LGDT:
  case ZYDIS_MNEMONIC_LIDT:
  case ZYDIS_MNEMONIC_LLDT:
  case ZYDIS_MNEMONIC_LTR:
  case ZYDIS_MNEMONIC_WBINVD:
    return true;
  case ZYDIS_MNEMONIC_MOV:
    if (d.operands[0].type == ZYDIS_OPERAND_TYPE_REGISTER &&
        ZydisRegisterGetClass(d.operands[0].reg.value) == ZYDIS_REGCLASS_DEBUG)
      return true;
    if (d.operands[1].type == ZYDIS_OPERAND_TYPE_REGISTER &&
        ZydisRegisterGetClass(d.operands[1].reg.value) == ZYDIS_REGCLASS_DEBUG)
      return true;
    return isSreg(d.operands[0], false);
  case ZYDIS_MNEMONIC_POP:
    return isSreg(d.operands[0], false);
  default:
    return false;
  }
}

bool faultsAtRing1(const DecodedInsn &d) {
  switch (d.cls) {
  case InsnClass::None:
    return privilegedUnscanned(d);
  case InsnClass::Cpuid:
  case InsnClass::Rdtsc:
  case InsnClass::Rdtscp:
  case InsnClass::SoftInt:
  case InsnClass::Int3:
  case InsnClass::Into:
  case InsnClass::Int1:
  case InsnClass::Vmcall:
  case InsnClass::Vmx:
  case InsnClass::SystemCall:
    return false;
  default:
    return true;
  }
}

std::string formatInsn(const DecodedInsn &d, uint64_t address) {
  static const ZydisFormatter formatter = [] {
    ZydisFormatter f;
    ZydisFormatterInit(&f, ZYDIS_FORMATTER_STYLE_INTEL);
    return f;
  }();
  char buffer[128];
  if (ZYAN_FAILED(ZydisFormatterFormatInstruction(&formatter, &d.insn, d.operands,
                                                  d.insn.operand_count_visible, buffer,
                                                  sizeof buffer, address, nullptr)))
    return "(undecodable)";
  return buffer;
}

std::string mnemonicOf(const DecodedInsn &d) {
  const char *name = ZydisMnemonicGetString(d.insn.mnemonic);
  return name ? name : "?";
}

} // namespace ringside::emu
