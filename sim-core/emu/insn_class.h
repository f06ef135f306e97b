#pragma once
// The classes of sensitive instructions the emu backend intercepts before they run. Whether
// one is a VM exit is the VT-x model's decision (vmx/exit_decision.h), not the class's.
#include <cstdint>

namespace ringside {

enum class InsnClass : uint8_t {
  None,
  In,       ///< IN AL/AX/EAX, imm8|DX
  Out,      ///< OUT imm8|DX, AL/AX/EAX
  StringIo, ///< INS / OUTS (with or without REP)
  Hlt,
  Cpuid,
  Rdmsr,
  Wrmsr,
  MovToCr,   ///< MOV CRn, reg
  MovFromCr, ///< MOV reg, CRn
  Clts,
  Lmsw,
  Invlpg,
  Rdtsc,
  Rdtscp,
  SoftInt, ///< INT n
  Int3,
  Into,
  Int1,
  Vmcall,
  Invd,
  Xsetbv,
  Iret,       ///< IRET/IRETD/IRETQ: may change CPL
  FarBranch,  ///< far JMP/CALL/RET: may change CPL or mode
  SystemCall, ///< SYSCALL/SYSRET/SYSENTER/SYSEXIT (not emulated on emu yet)
  Vmx,        ///< VMXON … INVVPID: run by the VT-x model for guest-written hypervisors
};

} // namespace ringside
