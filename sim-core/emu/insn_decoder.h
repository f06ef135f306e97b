#pragma once
// Zydis-based decoding for the emu backend: instruction lengths (for exact instruction
// counts per translation block) and the sensitive-instruction class of each instruction
// (for scan-before-execute intercepts, ../shared/notes/unicorn.md A.2).
#include "emu/insn_class.h"

#include <Zydis/Zydis.h>

#include <cstdint>
#include <optional>
#include <vector>

namespace ringside::emu {

enum class CodeMode : uint8_t { Real16, Prot16, Prot32, Long64, Compat32, Compat16 };

struct DecodedInsn {
  ZydisDecodedInstruction insn;
  ZydisDecodedOperand operands[ZYDIS_MAX_OPERAND_COUNT];
  InsnClass cls = InsnClass::None;
};

class InsnDecoder {
public:
  InsnDecoder();
  /// Decodes one instruction; nullopt when the bytes are not a valid instruction.
  std::optional<DecodedInsn> decode(CodeMode mode, const uint8_t *bytes, size_t n) const;
  /// Instruction start offsets inside a block of `n` bytes (a translation block).
  std::vector<uint16_t> split(CodeMode mode, const uint8_t *bytes, size_t n,
                              std::vector<std::pair<uint16_t, InsnClass>> *sensitive) const;

private:
  ZydisDecoder decoders_[6];
};

InsnClass classify(const ZydisDecodedInstruction &insn, const ZydisDecodedOperand *operands);

/// Zydis register → index in GuestRegs::gpr (SDM order), or -1.
int gprIndex(ZydisRegister reg);
/// The Zydis register of general register `index` (SDM order) at `width`: 0 = 64, 1 = 32,
/// 2 = 16, 3 = 8 bits.
ZydisRegister gprRegister(int index, unsigned width);
/// Control-register number of a Zydis CRn register, or -1.
int crIndex(ZydisRegister reg);

} // namespace ringside::emu
