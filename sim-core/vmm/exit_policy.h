#pragma once
// Which guest operations are VM exits. One table, read by every backend that models exits:
// the instruction classes a monitor must intercept and whether a VT-x hypervisor with
// default KVM-like controls (EPT on, TSC offsetting, CR read shadows, unconditional I/O and
// HLT exiting, an exception bitmap of #DB #UD #AC #MC) takes a VM exit for them.
// The VT-x model (issue 4) will derive this from real VMCS controls.
#include <cstdint>
#include <span>
#include <string_view>

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
};

struct InsnPolicy {
  InsnClass cls;
  std::string_view name;
  uint16_t exitReason;  ///< basic exit reason when it exits
  bool exitsByDefault;  ///< KVM-like default controls take an exit
  bool privileged;      ///< #GP(0) above CPL 0, checked before any VM exit
  std::string_view why; ///< one line for people
};

std::span<const InsnPolicy> insnPolicies();
const InsnPolicy &insnPolicy(InsnClass cls);

/// Does MOV to/from CR`cr` exit under the default controls?
bool crAccessExits(unsigned cr, bool write);

/// The default exception bitmap (bit n set: vector n causes EXCEPTION_NMI exits).
uint32_t defaultExceptionBitmap();
inline bool exceptionExits(uint8_t vector) {
  return vector < 32 && (defaultExceptionBitmap() >> vector) & 1;
}

/// Exit qualifications (SDM "Exit Qualification" tables).
uint64_t ioQualification(uint16_t port, uint8_t size, bool in, bool string, bool rep,
                         bool immediate);
uint64_t crQualification(unsigned cr, unsigned accessType, unsigned gpr, uint16_t lmswData = 0);

} // namespace ringside
