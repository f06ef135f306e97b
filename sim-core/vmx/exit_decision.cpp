#include "vmx/exit_decision.h"

#include "vmx/vmx_bitmaps.h"
#include "vmx/vmx_controls.h"

#include <array>

namespace ringside {
namespace {

enum class Trigger : uint8_t { Never, Always, Pin, Primary, Secondary, Special };
/// Which VM-exit instruction-information layout applies (SDM "Format of the VM-Exit
/// Instruction-Information Field as Used for …"). Undefined bits are written as 0.
enum class Layout : uint8_t { None, VmxMem, VmxRegs, DescTable, LdtrTr, Rdrand, StringIo };
/// What goes in the exit qualification.
enum class Qual : uint8_t { None, Displacement, LinearAddress, Monitor, Supplied };

struct OpRule {
  GuestOpInfo info;
  Trigger trigger;
  uint32_t mask;   ///< control bit for Pin/Primary/Secondary triggers
  bool privileged; ///< #GP(0) above CPL 0, before any VM exit
  bool insnCaused; ///< exit-instruction length (and information) are defined
  Layout layout;
  uint8_t identity; ///< instruction identity bits 29:28 (descriptor-table layouts)
  Qual qual;
};

using T = Trigger;
using L = Layout;
using Q = Qual;
using G = GuestOp;

// clang-format off
constexpr std::array kRules = {
    OpRule{{G::None, "none", 0, "never"}, T::Never, 0, false, false, L::None, 0, Q::None},
    OpRule{{G::Cpuid, "cpuid", 10, "always"}, T::Always, 0, false, true, L::None, 0, Q::None},
    OpRule{{G::Getsec, "getsec", 11, "always"}, T::Always, 0, false, true, L::None, 0, Q::None},
    OpRule{{G::Hlt, "hlt", 12, "cpu_based.hlt_exiting"}, T::Primary, ctl::HltExiting, true, true, L::None, 0, Q::None},
    OpRule{{G::Invd, "invd", 13, "always"}, T::Always, 0, true, true, L::None, 0, Q::None},
    OpRule{{G::Invlpg, "invlpg", 14, "cpu_based.invlpg_exiting"}, T::Primary, ctl::InvlpgExiting, true, true, L::None, 0, Q::LinearAddress},
    OpRule{{G::Invpcid, "invpcid", 58, "special"}, T::Special, 0, true, true, L::VmxRegs, 0, Q::Displacement},
    OpRule{{G::Rdpmc, "rdpmc", 15, "cpu_based.rdpmc_exiting"}, T::Primary, ctl::RdpmcExiting, false, true, L::None, 0, Q::None},
    OpRule{{G::Rdtsc, "rdtsc", 16, "cpu_based.rdtsc_exiting"}, T::Primary, ctl::RdtscExiting, false, true, L::None, 0, Q::None},
    OpRule{{G::Rdtscp, "rdtscp", 51, "special"}, T::Special, 0, false, true, L::None, 0, Q::None},
    OpRule{{G::Rdrand, "rdrand", 57, "secondary_exec.rdrand_exiting"}, T::Secondary, ctl::RdrandExiting, false, true, L::Rdrand, 0, Q::None},
    OpRule{{G::Rdseed, "rdseed", 61, "secondary_exec.rdseed_exiting"}, T::Secondary, ctl::RdseedExiting, false, true, L::Rdrand, 0, Q::None},
    OpRule{{G::Mwait, "mwait", 36, "cpu_based.mwait_exiting"}, T::Primary, ctl::MwaitExiting, true, true, L::None, 0, Q::Monitor},
    OpRule{{G::Monitor, "monitor", 39, "cpu_based.monitor_exiting"}, T::Primary, ctl::MonitorExiting, true, true, L::None, 0, Q::None},
    OpRule{{G::Pause, "pause", 40, "cpu_based.pause_exiting"}, T::Primary, ctl::PauseExiting, false, true, L::None, 0, Q::None},
    OpRule{{G::Wbinvd, "wbinvd", 54, "secondary_exec.wbinvd_exiting"}, T::Secondary, ctl::WbinvdExiting, true, true, L::None, 0, Q::None},
    OpRule{{G::Xsetbv, "xsetbv", 55, "always"}, T::Always, 0, true, true, L::None, 0, Q::None},
    OpRule{{G::Xsaves, "xsaves", 63, "special"}, T::Special, 0, true, true, L::VmxMem, 0, Q::Displacement},
    OpRule{{G::Xrstors, "xrstors", 64, "special"}, T::Special, 0, true, true, L::VmxMem, 0, Q::Displacement},
    OpRule{{G::Rdmsr, "rdmsr", 31, "special"}, T::Special, 0, true, true, L::None, 0, Q::None},
    OpRule{{G::Wrmsr, "wrmsr", 32, "special"}, T::Special, 0, true, true, L::None, 0, Q::None},
    OpRule{{G::MovToCr, "mov to cr", 28, "special"}, T::Special, 0, true, true, L::None, 0, Q::None},
    OpRule{{G::MovFromCr, "mov from cr", 28, "special"}, T::Special, 0, true, true, L::None, 0, Q::None},
    OpRule{{G::Clts, "clts", 28, "special"}, T::Special, 0, true, true, L::None, 0, Q::None},
    OpRule{{G::Lmsw, "lmsw", 28, "special"}, T::Special, 0, true, true, L::None, 0, Q::None},
    OpRule{{G::MovToDr, "mov to dr", 29, "cpu_based.mov_dr_exiting"}, T::Primary, ctl::MovDrExiting, true, true, L::None, 0, Q::None},
    OpRule{{G::MovFromDr, "mov from dr", 29, "cpu_based.mov_dr_exiting"}, T::Primary, ctl::MovDrExiting, true, true, L::None, 0, Q::None},
    OpRule{{G::Io, "in/out/ins/outs", 30, "special"}, T::Special, 0, false, true, L::StringIo, 0, Q::None},
    OpRule{{G::Sgdt, "sgdt", 46, "secondary_exec.desc"}, T::Secondary, ctl::DescTableExiting, false, true, L::DescTable, 0, Q::Displacement},
    OpRule{{G::Sidt, "sidt", 46, "secondary_exec.desc"}, T::Secondary, ctl::DescTableExiting, false, true, L::DescTable, 1, Q::Displacement},
    OpRule{{G::Lgdt, "lgdt", 46, "secondary_exec.desc"}, T::Secondary, ctl::DescTableExiting, true, true, L::DescTable, 2, Q::Displacement},
    OpRule{{G::Lidt, "lidt", 46, "secondary_exec.desc"}, T::Secondary, ctl::DescTableExiting, true, true, L::DescTable, 3, Q::Displacement},
    OpRule{{G::Sldt, "sldt", 47, "secondary_exec.desc"}, T::Secondary, ctl::DescTableExiting, false, true, L::LdtrTr, 0, Q::Displacement},
    OpRule{{G::Str, "str", 47, "secondary_exec.desc"}, T::Secondary, ctl::DescTableExiting, false, true, L::LdtrTr, 1, Q::Displacement},
    OpRule{{G::Lldt, "lldt", 47, "secondary_exec.desc"}, T::Secondary, ctl::DescTableExiting, true, true, L::LdtrTr, 2, Q::Displacement},
    OpRule{{G::Ltr, "ltr", 47, "secondary_exec.desc"}, T::Secondary, ctl::DescTableExiting, true, true, L::LdtrTr, 3, Q::Displacement},
    // VMX instructions exit in non-root operation before their CPL check (SDM pseudocode).
    OpRule{{G::Vmcall, "vmcall", 18, "always"}, T::Always, 0, false, true, L::None, 0, Q::None},
    OpRule{{G::Vmclear, "vmclear", 19, "always"}, T::Always, 0, false, true, L::VmxMem, 0, Q::Displacement},
    OpRule{{G::Vmlaunch, "vmlaunch", 20, "always"}, T::Always, 0, false, true, L::None, 0, Q::None},
    OpRule{{G::Vmptrld, "vmptrld", 21, "always"}, T::Always, 0, false, true, L::VmxMem, 0, Q::Displacement},
    OpRule{{G::Vmptrst, "vmptrst", 22, "always"}, T::Always, 0, false, true, L::VmxMem, 0, Q::Displacement},
    OpRule{{G::Vmread, "vmread", 23, "always"}, T::Always, 0, false, true, L::VmxRegs, 0, Q::Displacement},
    OpRule{{G::Vmresume, "vmresume", 24, "always"}, T::Always, 0, false, true, L::None, 0, Q::None},
    OpRule{{G::Vmwrite, "vmwrite", 25, "always"}, T::Always, 0, false, true, L::VmxRegs, 0, Q::Displacement},
    OpRule{{G::Vmxoff, "vmxoff", 26, "always"}, T::Always, 0, false, true, L::None, 0, Q::None},
    OpRule{{G::Vmxon, "vmxon", 27, "always"}, T::Always, 0, false, true, L::VmxMem, 0, Q::Displacement},
    OpRule{{G::Invept, "invept", 50, "always"}, T::Always, 0, false, true, L::VmxRegs, 0, Q::Displacement},
    OpRule{{G::Invvpid, "invvpid", 53, "always"}, T::Always, 0, false, true, L::VmxRegs, 0, Q::Displacement},
    OpRule{{G::Exception, "exception", 0, "special"}, T::Special, 0, false, false, L::None, 0, Q::None},
    OpRule{{G::ExternalInterrupt, "external interrupt", 1, "pin_based.ext_intr_mask"}, T::Special, 0, false, false, L::None, 0, Q::None},
    OpRule{{G::Nmi, "nmi", 0, "pin_based.nmi_exiting"}, T::Special, 0, false, false, L::None, 0, Q::None},
    OpRule{{G::TripleFault, "triple fault", 2, "always"}, T::Always, 0, false, false, L::None, 0, Q::None},
    OpRule{{G::InterruptWindow, "interrupt window", 7, "cpu_based.intr_window_exiting"}, T::Primary, ctl::IntrWindowExiting, false, false, L::None, 0, Q::None},
    OpRule{{G::NmiWindow, "nmi window", 8, "cpu_based.nmi_window_exiting"}, T::Primary, ctl::NmiWindowExiting, false, false, L::None, 0, Q::None},
    OpRule{{G::MonitorTrap, "monitor trap", 37, "cpu_based.monitor_trap_flag"}, T::Primary, ctl::MonitorTrapFlag, false, false, L::None, 0, Q::None},
    OpRule{{G::EptViolation, "ept violation", 48, "secondary_exec.enable_ept"}, T::Secondary, ctl::EnableEpt, false, false, L::None, 0, Q::Supplied},
    OpRule{{G::EptMisconfig, "ept misconfig", 49, "secondary_exec.enable_ept"}, T::Secondary, ctl::EnableEpt, false, false, L::None, 0, Q::None},
};
// clang-format on

const OpRule &rule(GuestOp op) {
  for (const auto &r : kRules)
    if (r.info.op == op)
      return r;
  return kRules[0];
}

constexpr uint32_t kValid = 1u << 31;
constexpr uint64_t kCr0Ts = 1u << 3;

uint32_t instructionInformation(Layout layout, uint8_t identity, const InsnOperand &o) {
  if (layout == Layout::None)
    return 0;
  if (layout == Layout::Rdrand)
    return uint32_t(o.reg1 & 15) << 3 | uint32_t(o.operandSize & 3) << 11;
  if (layout == Layout::StringIo)
    return uint32_t(o.addrSize & 7) << 7 | uint32_t(o.segment & 7) << 15;
  uint32_t v = uint32_t(o.addrSize & 7) << 7;
  bool hasReg1 = layout == Layout::VmxRegs || layout == Layout::LdtrTr;
  if (hasReg1 && o.isRegister)
    v |= uint32_t(o.reg1 & 15) << 3 | 1u << 10;
  if (!o.isRegister)
    v |= uint32_t(o.scale & 3) | uint32_t(o.segment & 7) << 15 | uint32_t(o.index & 15) << 18 |
         uint32_t(!o.indexValid) << 22 | uint32_t(o.base & 15) << 23 | uint32_t(!o.baseValid) << 27;
  if (layout == Layout::DescTable)
    v |= uint32_t(o.operandSize & 1) << 11;
  if (layout == Layout::DescTable || layout == Layout::LdtrTr)
    v |= uint32_t(identity & 3) << 28;
  if (layout == Layout::VmxRegs)
    v |= uint32_t(o.reg2 & 15) << 28;
  return v;
}

/// Special cases: returns the outcome and fills the qualification where it depends on operands.
Outcome crAccess(const Vmcs &vmcs, const GuestOperation &op, ExitInfo &info) {
  uint32_t primary = primaryControls(vmcs);
  uint64_t mask0 = vmcs.get(vmcs::Cr0GuestHostMask), shadow0 = vmcs.get(vmcs::Cr0ReadShadow);
  bool exits = false;
  switch (op.op) {
  case GuestOp::MovToCr:
    info.qualification = crExitQualification(op.cr, 0, op.gpr);
    if (op.cr == 0 || op.cr == 4) {
      uint64_t mask = op.cr == 0 ? mask0 : vmcs.get(vmcs::Cr4GuestHostMask);
      uint64_t shadow = op.cr == 0 ? shadow0 : vmcs.get(vmcs::Cr4ReadShadow);
      exits = ((op.value ^ shadow) & mask) != 0;
    } else if (op.cr == 3) {
      exits = primary & ctl::Cr3LoadExiting;
      uint64_t count = vmcs.get(vmcs::Cr3TargetCount);
      for (uint64_t i = 0; exits && i < count && i < 4; ++i)
        exits = vmcs.get(vmcs::Cr3TargetValue0 + 2 * uint32_t(i)) != op.value;
    } else if (op.cr == 8) {
      exits = primary & ctl::Cr8LoadExiting;
    }
    break;
  case GuestOp::MovFromCr:
    info.qualification = crExitQualification(op.cr, 1, op.gpr);
    exits = (op.cr == 3 && (primary & ctl::Cr3StoreExiting)) ||
            (op.cr == 8 && (primary & ctl::Cr8StoreExiting));
    break;
  case GuestOp::Clts:
    info.qualification = crExitQualification(0, 2, 0);
    exits = (mask0 & kCr0Ts) && (shadow0 & kCr0Ts);
    break;
  default: { // LMSW: bits 3:0 of CR0; it can set PE but never clear it
    uint64_t src = op.value & 0xf;
    info.qualification = crExitQualification(0, 3, 0, uint16_t(op.value), op.memoryOperand);
    if (op.memoryOperand)
      info.guestLinear = op.linearAddress;
    bool pe = (mask0 & 1) && !(shadow0 & 1) && (src & 1);
    exits = pe || ((src ^ shadow0) & mask0 & 0xe) != 0;
  }
  }
  return exits ? Outcome::Exit : Outcome::NoExit;
}

Outcome exception(const Vmcs &vmcs, const GuestOperation &op, ExitInfo &info) {
  // INT n is not an exception: the exception bitmap does not see it.
  if (op.interruptionType == InterruptionType::SoftwareInterrupt || op.vector >= 32)
    return Outcome::NoExit;
  bool bit = (vmcs.get(vmcs::ExceptionBitmap) >> op.vector) & 1;
  if (op.vector == 14) {
    // #PF: the bit's meaning is inverted when the masked error code does not match.
    uint32_t mask = uint32_t(vmcs.get(vmcs::PfErrorCodeMask));
    bit = bit == ((op.errorCode & mask) == uint32_t(vmcs.get(vmcs::PfErrorCodeMatch)));
    info.qualification = op.linearAddress;
  } else if (op.vector == 1) {
    info.qualification = op.qualification;
  }
  if (!bit)
    return Outcome::NoExit;
  info.intrInfo = interruptionInfo(op.vector, op.interruptionType, op.hasErrorCode);
  info.intrErrorCode = op.hasErrorCode ? op.errorCode : 0;
  // Software exceptions (INT3, INTO, INT1) report the length of their instruction.
  info.instructionCaused = op.interruptionType == InterruptionType::SoftwareException ||
                           op.interruptionType == InterruptionType::PrivilegedSoftwareException;
  return Outcome::Exit;
}

Outcome special(const Vmcs &vmcs, const GuestOperation &op, ExitInfo &info) {
  uint32_t primary = primaryControls(vmcs), secondary = secondaryControls(vmcs);
  switch (op.op) {
  case GuestOp::Rdtscp:
    if (!(secondary & ctl::EnableRdtscp))
      return Outcome::Ud;
    return primary & ctl::RdtscExiting ? Outcome::Exit : Outcome::NoExit;
  case GuestOp::Invpcid:
    if (!(secondary & ctl::EnableInvpcid))
      return Outcome::Ud;
    return primary & ctl::InvlpgExiting ? Outcome::Exit : Outcome::NoExit;
  case GuestOp::Xsaves:
  case GuestOp::Xrstors:
    // The XSS-exiting bitmap is not modelled: with XSAVES enabled they run in the guest.
    return secondary & ctl::EnableXsaves ? Outcome::NoExit : Outcome::Ud;
  case GuestOp::Rdmsr:
  case GuestOp::Wrmsr:
    if (!(primary & ctl::UseMsrBitmaps))
      return Outcome::Exit;
    return msrBitmapExits(vmcs, op.msr, op.op == GuestOp::Wrmsr) ? Outcome::Exit : Outcome::NoExit;
  case GuestOp::Io: {
    info.qualification =
        ioExitQualification(op.port, op.size, op.in, op.string, op.rep, op.immediate);
    if (op.string)
      info.guestLinear = op.linearAddress;
    bool exits = primary & ctl::UseIoBitmaps ? ioBitmapExits(vmcs, op.port, op.size)
                                             : (primary & ctl::UncondIoExiting) != 0;
    return exits ? Outcome::Exit : Outcome::NoExit;
  }
  case GuestOp::Exception:
    return exception(vmcs, op, info);
  case GuestOp::ExternalInterrupt:
    if (!(pinControls(vmcs) & ctl::ExtIntrExiting))
      return Outcome::NoExit;
    // Only "acknowledge interrupt on exit" makes the processor fetch the vector.
    if (vmcs.get(vmcs::ExitControls) & ctl::AckIntrOnExit)
      info.intrInfo = interruptionInfo(op.vector, InterruptionType::ExternalInterrupt, false);
    return Outcome::Exit;
  case GuestOp::Nmi:
    if (!(pinControls(vmcs) & ctl::NmiExiting))
      return Outcome::NoExit;
    info.intrInfo = interruptionInfo(2, InterruptionType::Nmi, false);
    return Outcome::Exit;
  default:
    return crAccess(vmcs, op, info);
  }
}

} // namespace

ExitDecision decideExit(const Vmcs &vmcs, const GuestOperation &op) {
  const OpRule &r = rule(op.op);
  ExitDecision d;
  if (r.privileged && op.cpl > 0) {
    d.outcome = Outcome::Gp;
    return d;
  }
  ExitInfo &info = d.info;
  info.reason = r.info.reason;
  info.instructionCaused = r.insnCaused;
  switch (r.trigger) {
  case Trigger::Never:
    d.outcome = Outcome::NoExit;
    break;
  case Trigger::Always:
    d.outcome = Outcome::Exit;
    break;
  case Trigger::Pin:
    d.outcome = pinControls(vmcs) & r.mask ? Outcome::Exit : Outcome::NoExit;
    break;
  case Trigger::Primary:
    d.outcome = primaryControls(vmcs) & r.mask ? Outcome::Exit : Outcome::NoExit;
    break;
  case Trigger::Secondary:
    d.outcome = secondaryControls(vmcs) & r.mask ? Outcome::Exit : Outcome::NoExit;
    break;
  case Trigger::Special:
    d.outcome = special(vmcs, op, info);
    break;
  }
  if (!d.exits()) {
    d.info = ExitInfo{};
    return d;
  }
  switch (r.qual) {
  case Qual::None:
    break;
  case Qual::Displacement:
    info.qualification = op.operand.isRegister ? 0 : op.operand.displacement;
    break;
  case Qual::LinearAddress:
    info.qualification = op.linearAddress;
    break;
  case Qual::Monitor:
    info.qualification = op.monitorArmed ? 1 : 0;
    break;
  case Qual::Supplied:
    info.qualification = op.qualification;
    break;
  }
  if (op.op == GuestOp::MovToDr || op.op == GuestOp::MovFromDr)
    info.qualification = drExitQualification(op.dr, op.op == GuestOp::MovFromDr, op.gpr);
  if (op.op == GuestOp::EptViolation || op.op == GuestOp::EptMisconfig) {
    info.guestPhysical = op.guestPhysical;
    if (op.op == GuestOp::EptViolation && (op.qualification & (1u << 7)))
      info.guestLinear = op.linearAddress;
  }
  if (info.instructionCaused) {
    info.insnLength = op.insnLength;
    // INS has no segment override: its instruction information leaves the segment undefined.
    InsnOperand operand = op.operand;
    if (op.op == GuestOp::Io && op.in)
      operand.segment = 0;
    if (op.op != GuestOp::Io || op.string)
      info.insnInfo = instructionInformation(r.layout, r.identity, operand);
  }
  if (op.vectoring) {
    info.idtVectoringInfo =
        interruptionInfo(op.vectoring->vector, op.vectoring->type, op.vectoring->hasErrorCode);
    info.idtVectoringErrorCode = op.vectoring->hasErrorCode ? op.vectoring->errorCode : 0;
  }
  return d;
}

void writeExitInfo(Vmcs &vmcs, const ExitInfo &info) {
  vmcs.set(vmcs::ExitReason, info.reason);
  vmcs.set(vmcs::ExitQualification, info.qualification); // cleared when the exit has none
  vmcs.set(vmcs::ExitIntrInfo, info.intrInfo);           // valid bit clear unless an event
  if (info.intrInfo & kValid)
    vmcs.set(vmcs::ExitIntrErrorCode, info.intrErrorCode);
  vmcs.set(vmcs::IdtVectoringInfo, info.idtVectoringInfo);
  if (info.idtVectoringInfo & kValid)
    vmcs.set(vmcs::IdtVectoringErrorCode, info.idtVectoringErrorCode);
  // Length and instruction information are undefined for other exits: leave the old values.
  if (info.instructionCaused) {
    vmcs.set(vmcs::ExitInstructionLength, info.insnLength);
    vmcs.set(vmcs::ExitInstructionInfo, info.insnInfo);
  }
  if (info.guestLinear)
    vmcs.set(vmcs::GuestLinearAddress, *info.guestLinear);
  if (info.guestPhysical)
    vmcs.set(vmcs::GuestPhysicalAddress, *info.guestPhysical);
}

uint64_t guestVisibleCr(const Vmcs &vmcs, unsigned cr, uint64_t actual) {
  if (cr != 0 && cr != 4)
    return actual;
  uint64_t mask = vmcs.get(cr == 0 ? vmcs::Cr0GuestHostMask : vmcs::Cr4GuestHostMask);
  uint64_t shadow = vmcs.get(cr == 0 ? vmcs::Cr0ReadShadow : vmcs::Cr4ReadShadow);
  return (actual & ~mask) | (shadow & mask);
}

uint64_t ioExitQualification(uint16_t port, uint8_t size, bool in, bool string, bool rep,
                             bool immediate) {
  return uint64_t((size - 1) & 7) | uint64_t(in) << 3 | uint64_t(string) << 4 | uint64_t(rep) << 5 |
         uint64_t(immediate) << 6 | uint64_t(port) << 16;
}

uint64_t crExitQualification(unsigned cr, unsigned accessType, unsigned gpr, uint16_t lmswData,
                             bool lmswMemory) {
  return uint64_t(cr & 15) | uint64_t(accessType & 3) << 4 | uint64_t(lmswMemory) << 6 |
         uint64_t(gpr & 15) << 8 | uint64_t(lmswData) << 16;
}

uint64_t drExitQualification(unsigned dr, bool fromDr, unsigned gpr) {
  return uint64_t(dr & 7) | uint64_t(fromDr) << 4 | uint64_t(gpr & 15) << 8;
}

uint64_t eptViolationQualification(const EptAccess &a) {
  return uint64_t(a.read) | uint64_t(a.write) << 1 | uint64_t(a.fetch) << 2 |
         uint64_t(a.allowed & 7) << 3 | uint64_t(a.glaValid) << 7 |
         uint64_t(a.glaValid && a.glaFinal) << 8 | uint64_t(a.nmiUnblocking) << 12;
}

uint32_t interruptionInfo(uint8_t vector, InterruptionType type, bool hasErrorCode) {
  return vector | uint32_t(type) << 8 | uint32_t(hasErrorCode) << 11 | kValid;
}

std::span<const GuestOpInfo> guestOpInfos() {
  static const auto infos = [] {
    std::array<GuestOpInfo, kRules.size()> a{};
    for (size_t i = 0; i < kRules.size(); ++i)
      a[i] = kRules[i].info;
    return a;
  }();
  return infos;
}

const GuestOpInfo &guestOpInfo(GuestOp op) {
  auto infos = guestOpInfos();
  for (const auto &i : infos)
    if (i.op == op)
      return i;
  return infos[0];
}

} // namespace ringside
