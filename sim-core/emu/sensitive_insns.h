#pragma once
// The instructions trap-and-emulate and binary translation care about beyond the monitor's
// own intercept classes (insn_class.h): Robin & Irvine's sensitive-but-unprivileged list
// (../shared/notes/papers.md §3), which runs at ring 1 without a trap, and the privileged ones
// the scan does not intercept because at ring 0 they need no VMM (CLI, LGDT …), which fault
// at ring 1. docs/techniques.md.
#include "emu/insn_decoder.h"

#include <string>

namespace ringside::emu {

enum class Leak : uint8_t {
  None,
  Pushf,
  Popf,
  Sgdt,
  Sidt,
  Sldt,
  Str,
  Smsw,
  PushSreg, ///< PUSH CS / PUSH SS
  MovSreg,  ///< MOV r/m, CS / SS
  Lar,
  Lsl,
  Verr,
  Verw,
};

/// The sensitive-but-unprivileged instruction `d` is, or None.
Leak leakOf(const DecodedInsn &d);
/// A privileged (or CPL-checked) instruction the monitor's scan leaves alone at ring 0: CLI,
/// STI, LGDT, LIDT, LLDT, LTR, MOV/POP to a segment register, MOV to/from DRn, WBINVD.
bool privilegedUnscanned(const DecodedInsn &d);
/// Faults (#GP) when a deprivileged kernel runs it at ring 1, at least sometimes: the two
/// lists above, the monitor's privileged and I/O classes, IRET and far transfers.
bool faultsAtRing1(const DecodedInsn &d);
/// Intel-syntax text of `d` at `address`.
std::string formatInsn(const DecodedInsn &d, uint64_t address);
/// The lower-case mnemonic of `d`.
std::string mnemonicOf(const DecodedInsn &d);

} // namespace ringside::emu
