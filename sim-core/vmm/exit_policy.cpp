#include "vmm/exit_policy.h"

#include "arch/exit_reasons.h"

#include <array>

namespace ringside {
namespace {

using namespace exit_reason;

constexpr std::array kPolicies = {
    InsnPolicy{InsnClass::None, "none", 0, false, false, "not sensitive"},
    InsnPolicy{InsnClass::In, "in", IoInstruction, true, false, "I/O exiting is unconditional"},
    InsnPolicy{InsnClass::Out, "out", IoInstruction, true, false, "I/O exiting is unconditional"},
    InsnPolicy{InsnClass::StringIo, "ins/outs", IoInstruction, true, false,
               "I/O exiting is unconditional"},
    InsnPolicy{InsnClass::Hlt, "hlt", Hlt, true, true, "HLT exiting is on"},
    InsnPolicy{InsnClass::Cpuid, "cpuid", Cpuid, true, false, "CPUID always exits"},
    InsnPolicy{InsnClass::Rdmsr, "rdmsr", MsrRead, true, true, "the MSR bitmap intercepts it"},
    InsnPolicy{InsnClass::Wrmsr, "wrmsr", MsrWrite, true, true, "the MSR bitmap intercepts it"},
    InsnPolicy{InsnClass::MovToCr, "mov to cr", CrAccess, true, true,
               "CR0/CR4 bits owned by the host; CR3 loads do not exit with EPT"},
    InsnPolicy{InsnClass::MovFromCr, "mov from cr", CrAccess, false, true,
               "reads come from the CR read shadows"},
    InsnPolicy{InsnClass::Clts, "clts", CrAccess, false, true, "the guest owns CR0.TS"},
    InsnPolicy{InsnClass::Lmsw, "lmsw", CrAccess, true, true,
               "LMSW may change host-owned CR0 bits"},
    InsnPolicy{InsnClass::Invlpg, "invlpg", Invlpg, false, true, "with EPT the guest owns its TLB"},
    InsnPolicy{InsnClass::Rdtsc, "rdtsc", Rdtsc, false, false, "TSC offsetting, no RDTSC exiting"},
    InsnPolicy{InsnClass::Rdtscp, "rdtscp", 51, false, false, "TSC offsetting, no RDTSC exiting"},
    InsnPolicy{InsnClass::SoftInt, "int n", ExceptionNmi, false, false,
               "software interrupts go through the guest IDT"},
    InsnPolicy{InsnClass::Int3, "int3", ExceptionNmi, false, false,
               "#BP is not in the exception bitmap"},
    InsnPolicy{InsnClass::Into, "into", ExceptionNmi, false, false,
               "#OF is not in the exception bitmap"},
    InsnPolicy{InsnClass::Int1, "int1", ExceptionNmi, true, false,
               "#DB is in the exception bitmap"},
    InsnPolicy{InsnClass::Vmcall, "vmcall", Vmcall, true, false, "VMCALL always exits"},
    InsnPolicy{InsnClass::Invd, "invd", Invd, true, true, "INVD always exits"},
    InsnPolicy{InsnClass::Xsetbv, "xsetbv", Xsetbv, true, true, "XSETBV always exits"},
    InsnPolicy{InsnClass::Iret, "iret", 0, false, false, "runs in the guest"},
    InsnPolicy{InsnClass::FarBranch, "far jmp/call/ret", 0, false, false, "runs in the guest"},
    InsnPolicy{InsnClass::SystemCall, "syscall/sysenter", 0, false, false, "runs in the guest"},
};

} // namespace

std::span<const InsnPolicy> insnPolicies() { return kPolicies; }

const InsnPolicy &insnPolicy(InsnClass cls) {
  for (const auto &p : kPolicies)
    if (p.cls == cls)
      return p;
  return kPolicies[0];
}

bool crAccessExits(unsigned cr, bool write) {
  // CR0 and CR4 writes exit (host-owned bits); CR3 and CR8 accesses do not with EPT and a
  // TPR shadow; reads of CR0/CR4 come from the read shadows.
  return write && (cr == 0 || cr == 4);
}

uint32_t defaultExceptionBitmap() {
  return (1u << 1) | (1u << 6) | (1u << 17) | (1u << 18); // #DB #UD #AC #MC
}

uint64_t ioQualification(uint16_t port, uint8_t size, bool in, bool string, bool rep,
                         bool immediate) {
  return uint64_t((size - 1) & 7) | (uint64_t(in) << 3) | (uint64_t(string) << 4) |
         (uint64_t(rep) << 5) | (uint64_t(immediate) << 6) | (uint64_t(port) << 16);
}

uint64_t crQualification(unsigned cr, unsigned accessType, unsigned gpr, uint16_t lmswData) {
  return uint64_t(cr & 15) | (uint64_t(accessType & 3) << 4) | (uint64_t(gpr & 15) << 8) |
         (uint64_t(lmswData) << 16);
}

} // namespace ringside
