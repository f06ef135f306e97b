// Single-step mode: KVM_GUESTDBG_SINGLESTEP, so every retired instruction comes back to us as
// one KVM_EXIT_DEBUG with the registers in SYNC_REGS. That gives an exact instruction count,
// --max-insns, and ring events from real CS.RPL changes. Two host facts shape it
// (../shared/notes/kvm.md): HLT is stepped over (no KVM_EXIT_HLT), and on PVM stepping works
// only at CPL0 — at CPL3 the #DB goes to the guest, which triple-faults.
#include "arch/exit_reasons.h"
#include "errors.h"
#include "kvm_backend.h"
#include "util/hex.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <sys/ioctl.h>

namespace ringside::kvm {
namespace {

constexpr uint8_t kHlt = 0xF4;
constexpr uint32_t kSetGuestDebug2BlockIrq = KVM_GUESTDBG_BLOCKIRQ;
constexpr uint32_t kDr6SingleStep = 1u << 14; // DR6.BS

bool isLegacyPrefix(uint8_t b) {
  static constexpr std::array<uint8_t, 11> kPrefixes{0x66, 0x67, 0xF0, 0xF2, 0xF3, 0x2E,
                                                     0x36, 0x3E, 0x26, 0x64, 0x65};
  return std::find(kPrefixes.begin(), kPrefixes.end(), b) != kPrefixes.end();
}

// How an instruction that changed the CPL did it, by its opcode. Anything else that changed the
// CPL was an exception or interrupt delivered through the IDT.
struct RingOpcode {
  bool twoByte; ///< 0F xx
  uint8_t opcode;
  int8_t modrmReg; ///< required ModRM.reg, or -1
  RingCause cause;
};
constexpr std::array kRingOpcodes{
    RingOpcode{false, 0xCF, -1, RingCause::Iret},        // IRET/IRETD/IRETQ
    RingOpcode{false, 0xCA, -1, RingCause::FarTransfer}, // RETF imm16
    RingOpcode{false, 0xCB, -1, RingCause::FarTransfer}, // RETF
    RingOpcode{false, 0xEA, -1, RingCause::FarTransfer}, // JMP ptr16:32
    RingOpcode{false, 0x9A, -1, RingCause::FarTransfer}, // CALL ptr16:32
    RingOpcode{false, 0xFF, 3, RingCause::FarTransfer},  // CALL m16:xx
    RingOpcode{false, 0xFF, 5, RingCause::FarTransfer},  // JMP m16:xx
    RingOpcode{false, 0xCD, -1, RingCause::Interrupt},   // INT n
    RingOpcode{true, 0x05, -1, RingCause::FarTransfer},  // SYSCALL
    RingOpcode{true, 0x07, -1, RingCause::FarTransfer},  // SYSRET
    RingOpcode{true, 0x34, -1, RingCause::FarTransfer},  // SYSENTER
    RingOpcode{true, 0x35, -1, RingCause::FarTransfer},  // SYSEXIT
};

/// The opcode bytes after prefixes (legacy, and REX in 64-bit code).
struct Decoded {
  bool twoByte = false;
  uint8_t opcode = 0;
  uint8_t modrm = 0;
  bool opsize16 = false; ///< 0x66 prefix
  bool rep = false;      ///< 0xF3 or 0xF2 prefix
  bool rexW = false;
};

Decoded decode(const std::array<uint8_t, 15> &bytes, bool code64) {
  size_t i = 0;
  while (i < bytes.size() && (isLegacyPrefix(bytes[i]) || (code64 && (bytes[i] & 0xF0) == 0x40)))
    ++i;
  Decoded d;
  for (size_t p = 0; p < i; ++p) {
    d.opsize16 |= bytes[p] == 0x66;
    d.rep |= bytes[p] == 0xF3 || bytes[p] == 0xF2;
    d.rexW |= code64 && (bytes[p] & 0xF8) == 0x48;
  }
  if (i + 2 >= bytes.size())
    return d;
  d.twoByte = bytes[i] == 0x0F;
  if (d.twoByte)
    ++i;
  d.opcode = bytes[i];
  d.modrm = bytes[i + 1];
  return d;
}

RingCause causeOf(const Decoded &d) {
  for (const auto &r : kRingOpcodes)
    if (r.twoByte == d.twoByte && r.opcode == d.opcode &&
        (r.modrmReg < 0 || ((d.modrm >> 3) & 7) == r.modrmReg))
      return r.cause;
  return RingCause::Interrupt;
}

/// INS, OUTS, MOVS, CMPS, STOS, LODS, SCAS: the instructions REP repeats.
bool isStringOp(uint8_t opcode) {
  return (opcode >= 0x6C && opcode <= 0x6F) || (opcode >= 0xA4 && opcode <= 0xA7) ||
         (opcode >= 0xAA && opcode <= 0xAF);
}

/// Where the new CS selector of a CPL-raising return is, relative to the stack pointer, in
/// bytes; -1 when the instruction cannot raise the CPL, 0 when it always enters CPL3.
int returnCsOffset(const Decoded &d, bool code64, bool code32) {
  const int slot =
      d.rexW ? 8 : (d.opsize16 ? (code32 || code64 ? 2 : 4) : (code32 || code64 ? 4 : 2));
  if (!d.twoByte && d.opcode == 0xCF)
    return slot; // IRET: RIP, CS, RFLAGS…
  if (!d.twoByte && (d.opcode == 0xCA || d.opcode == 0xCB))
    return slot; // RETF: RIP, CS
  if (d.twoByte && (d.opcode == 0x07 || d.opcode == 0x35))
    return 0; // SYSRET, SYSEXIT
  return -1;  // far JMP/CALL, INT n and exceptions never raise the CPL
}

} // namespace

// On PVM, an instruction that enters CPL3 under single-step hands the #DB to the guest, which
// triple-faults (measured: IRETQ then KVM_EXIT_SHUTDOWN). So look before each step: the only
// instructions that raise the CPL are IRET, RETF, SYSRET and SYSEXIT, and for the first two the
// new CS is on the stack.
bool KvmBackend::beforeStep() {
  iretTarget_.reset();
  const CpuView view = cpuView();
  std::array<uint8_t, 15> bytes{};
  if (!readLinear(view, view.linearRip, bytes.data(), 8))
    return true;
  const Decoded insn = decode(bytes, view.code64);
  const bool protectedMode = view.paging.cr0 & 1;
  const int offset = returnCsOffset(insn, view.code64, view.code32);
  if (protectedMode && !insn.twoByte && insn.opcode == 0xCF && offset > 0) { // IRET: target
    uint64_t rip = 0;
    if (readLinear(view, view.linearStack, &rip, size_t(offset)))
      iretTarget_ = rip; // linear when CS.base is 0: 64-bit and flat code
  }
  if (probe_.flavour != Flavour::Pvm || !protectedMode || view.cpl == 3 || offset < 0)
    return true;
  uint16_t cs = 3;
  if (offset > 0 && !readLinear(view, view.linearStack + offset, &cs, sizeof cs))
    return true;
  if ((cs & 3) != 3)
    return true;
  finish(StopKind::Error, 0,
         "--step stopped before the instruction at rip=" + hex(view.linearRip) +
             ", which enters CPL3: PVM can single-step only CPL0 code (at CPL3 the guest runs "
             "natively and the step's #DB would be delivered to the guest, which triple-faults). "
             "Run without --step to see this guest end to end");
  return false;
}

// A userspace exit while stepping: on PVM the exit RIP is already past the I/O instruction and
// no debug exit follows for it (the next one covers the instruction after it too), while on VMX
// the RIP is still at it and its own debug exit comes after the I/O completes. Count it here
// when the RIP has moved, so both hosts count each instruction once.
void KvmBackend::retireAtUserspaceExit() {
  if (!config_.singleStep)
    return;
  const uint64_t rip = cpuView().linearRip;
  if (rip == stepRip_)
    return;
  ++instructions_;
  stepRip_ = rip;
}

void KvmBackend::enableSingleStep() {
  if (!capabilitiesFor(probe_).canSingleStep)
    throw InputError("--step: this host cannot single-step KVM guests (no KVM_CAP_SET_GUEST_DEBUG "
                     "or an unrecognised KVM); run without --step or with --backend emu");
  kvm_guest_debug debug{};
  debug.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
  // Keep interrupts from being injected between steps, so a step is the guest's next
  // instruction rather than the first of a handler (KVM_CAP_SET_GUEST_DEBUG2 lists support).
  if (static_cast<uint32_t>(probe_.cap("SET_GUEST_DEBUG2")) & kSetGuestDebug2BlockIrq)
    debug.control |= KVM_GUESTDBG_BLOCKIRQ;
  if (ioctl(vm_->vcpuFd(), KVM_SET_GUEST_DEBUG, &debug) < 0)
    throw InputError(std::string("--step: KVM_SET_GUEST_DEBUG failed: ") + std::strerror(errno));
}

bool KvmBackend::onStep() {
  const auto &dbg = vm_->run()->debug.arch;
  if (dbg.exception != 1 || !(dbg.dr6 & kDr6SingleStep)) {
    finish(StopKind::Error, 0,
           "unexpected KVM_EXIT_DEBUG while stepping (exception " + std::to_string(dbg.exception) +
               ", dr6=" + hex(dbg.dr6) + ", pc=" + hex(dbg.pc) + ")");
    return false;
  }
  ++instructions_;
  ++debug_["single_steps"];
  const CpuView now = cpuView();
  // The instruction just retired started at stepRip_; its bytes tell a HLT (which KVM steps
  // over instead of halting) and how a CPL change happened. Read under the tables now in force:
  // only a MOV CR3 in that very instruction could make them differ.
  // PVM does not trap after an IRET at CPL0 (measured): the step then covers the instruction
  // at the IRET's target too. Count it, and judge that one (it may be a HLT).
  if (iretTarget_ && now.linearRip != *iretTarget_) {
    ++instructions_;
    ++debug_["steps_covering_two_instructions"];
    stepRip_ = *iretTarget_;
  }
  std::array<uint8_t, 15> bytes{};
  const bool haveBytes = readLinear(now, stepRip_, bytes.data(), 4);
  const Decoded insn = decode(bytes, now.code64);
  if (haveBytes && now.linearRip == stepRip_ && insn.rep && !insn.twoByte &&
      isStringOp(insn.opcode)) {
    --instructions_; // one iteration of a REP string instruction, which traps per iteration
    return true;
  }
  const uint64_t previousRip = stepRip_;
  stepRip_ = now.linearRip;

  if (now.cpl != stepCpl_) {
    record(RingEvent{stepCpl_, now.cpl, haveBytes ? causeOf(insn) : RingCause::Interrupt,
                     now.linearRip, EventSource::SingleStep});
    stepCpl_ = now.cpl;
    if (now.cpl == 3 && probe_.flavour == Flavour::Pvm) {
      finish(StopKind::Error, 0,
             "--step reached CPL3 at rip=" + hex(now.linearRip) +
                 ": PVM can single-step only CPL0 code (at CPL3 the guest runs natively and the "
                 "step's #DB would be delivered to the guest, which triple-faults). Run without "
                 "--step to see this guest end to end");
      return false;
    }
  }
  if (haveBytes && !insn.twoByte && insn.opcode == kHlt) {
    record(ExitEvent{exit_reason::Hlt, 0, previousRip, 1, EventSource::SingleStep});
    finish(StopKind::Hlt, 0,
           (now.rflags & (1u << 9))
               ? "the guest halted with interrupts enabled; no device can wake it"
               : "the guest halted");
    return false;
  }
  if (config_.maxInstructions && instructions_ >= config_.maxInstructions) {
    finish(StopKind::Budget, 0,
           "instruction budget of " + std::to_string(config_.maxInstructions) +
               " reached (--max-insns)");
    return false;
  }
  return true;
}

} // namespace ringside::kvm
