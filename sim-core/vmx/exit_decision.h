#pragma once
// Does what the guest is about to do cause a VM exit under this VMCS, and with what exit
// information? One place, driven only by the VMCS controls, bitmaps, masks and shadows
// (Intel SDM "Instructions That Cause VM Exits", "Exit Qualification", "Information for VM
// Exits Due to Instruction Execution").
#include "vmx/vmcs.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ringside {

enum class GuestOp : uint8_t {
  None,
  Cpuid,
  Getsec,
  Hlt,
  Invd,
  Invlpg,
  Invpcid,
  Rdpmc,
  Rdtsc,
  Rdtscp,
  Rdrand,
  Rdseed,
  Mwait,
  Monitor,
  Pause,
  Wbinvd,
  Xsetbv,
  Xsaves,
  Xrstors,
  Rdmsr,
  Wrmsr,
  MovToCr,
  MovFromCr,
  Clts,
  Lmsw,
  MovToDr,
  MovFromDr,
  Io, ///< IN/OUT/INS/OUTS: see port, size, in, string, rep, immediate
  Sgdt,
  Sidt,
  Lgdt,
  Lidt,
  Sldt,
  Str,
  Lldt,
  Ltr,
  Vmcall,
  Vmclear,
  Vmlaunch,
  Vmptrld,
  Vmptrst,
  Vmread,
  Vmresume,
  Vmwrite,
  Vmxoff,
  Vmxon,
  Invept,
  Invvpid,
  Exception,         ///< an exception about to be delivered: vector, interruptionType, error code
  ExternalInterrupt, ///< an external interrupt arrives (vector)
  Nmi,
  TripleFault,
  InterruptWindow, ///< RFLAGS.IF=1 and no blocking: the guest could take an interrupt now
  NmiWindow,
  MonitorTrap, ///< an instruction retired (monitor trap flag)
  EptViolation,
  EptMisconfig,
};

/// Interruption types of the interruption-information fields (bits 10:8).
enum class InterruptionType : uint8_t {
  ExternalInterrupt = 0,
  Nmi = 2,
  HardwareException = 3,
  SoftwareInterrupt = 4,           ///< INT n
  PrivilegedSoftwareException = 5, ///< INT1
  SoftwareException = 6,           ///< INT3, INTO
};

/// Addressing of an instruction's operand, for VM-exit instruction information.
struct InsnOperand {
  bool isRegister = false;
  uint8_t reg1 = 0;        ///< register operand (or the register of VMREAD/VMWRITE)
  uint8_t reg2 = 0;        ///< second register (VMREAD/VMWRITE, INVEPT/INVVPID/INVPCID type)
  uint8_t scale = 0;       ///< 0..3 (x1 .. x8)
  uint8_t addrSize = 2;    ///< 0 = 16-bit, 1 = 32-bit, 2 = 64-bit
  uint8_t operandSize = 1; ///< LGDT etc.: 0 = 16-bit, 1 = 32-bit; RDRAND: 0/1/2 = 16/32/64
  uint8_t segment = 3;     ///< 0 ES, 1 CS, 2 SS, 3 DS, 4 FS, 5 GS
  uint8_t index = 0;
  bool indexValid = false;
  uint8_t base = 0;
  bool baseValid = false;
  uint64_t displacement = 0; ///< becomes the exit qualification for memory operands
};

/// An event being delivered when the exit happened (IDT-vectoring information).
struct VectoringEvent {
  uint8_t vector = 0;
  InterruptionType type = InterruptionType::HardwareException;
  bool hasErrorCode = false;
  uint32_t errorCode = 0;
};

struct GuestOperation {
  GuestOp op = GuestOp::None;
  uint8_t insnLength = 0;
  uint8_t cpl = 0;
  unsigned cr = 0, dr = 0, gpr = 0; ///< MOV CR / MOV DR register numbers
  uint64_t value = 0;               ///< MOV to CR value; LMSW source (bits 15:0)
  bool memoryOperand = false;       ///< LMSW m16
  uint32_t msr = 0;                 ///< RDMSR/WRMSR: ECX
  uint16_t port = 0;
  uint8_t size = 1; ///< I/O bytes: 1, 2, 4
  bool in = false, string = false, rep = false, immediate = false;
  uint64_t linearAddress = 0; ///< INVLPG operand, INS/OUTS/LMSW memory operand, #PF CR2, EPT GLA
  uint64_t guestPhysical = 0; ///< EPT violation / misconfiguration
  uint64_t qualification = 0; ///< supplied as-is: #DB (DR6-style bits), EPT violation
  bool monitorArmed = false;  ///< MWAIT qualification bit 0
  InsnOperand operand;
  uint8_t vector = 0;
  InterruptionType interruptionType = InterruptionType::HardwareException;
  bool hasErrorCode = false;
  uint32_t errorCode = 0;
  std::optional<VectoringEvent> vectoring;
};

/// Everything the processor writes into the exit-information fields.
struct ExitInfo {
  uint16_t reason = 0;
  uint64_t qualification = 0;
  bool instructionCaused = false; ///< length and instruction information are defined
  uint32_t insnLength = 0;
  uint32_t insnInfo = 0;
  uint32_t intrInfo = 0;
  uint32_t intrErrorCode = 0;
  uint32_t idtVectoringInfo = 0;
  uint32_t idtVectoringErrorCode = 0;
  std::optional<uint64_t> guestLinear;
  std::optional<uint64_t> guestPhysical;
};

enum class Outcome : uint8_t {
  NoExit, ///< the guest runs the operation itself
  Exit,
  Ud, ///< #UD in the guest (e.g. RDTSCP without "enable RDTSCP"), no exit
  Gp, ///< #GP(0) in the guest: a CPL check that comes before any VM exit
};

struct ExitDecision {
  Outcome outcome = Outcome::NoExit;
  ExitInfo info;
  bool exits() const { return outcome == Outcome::Exit; }
};

ExitDecision decideExit(const Vmcs &vmcs, const GuestOperation &op);
/// The processor's writes of a VM exit (VM_EXIT_REASON, EXIT_QUALIFICATION, …) into the VMCS.
void writeExitInfo(Vmcs &vmcs, const ExitInfo &info);

/// What MOV from CR0/CR4 returns to the guest: shadow bits where the guest/host mask is 1.
uint64_t guestVisibleCr(const Vmcs &vmcs, unsigned cr, uint64_t actual);

/// Exit-qualification layouts (SDM tables "Exit Qualification for …").
uint64_t ioExitQualification(uint16_t port, uint8_t size, bool in, bool string, bool rep,
                             bool immediate);
uint64_t crExitQualification(unsigned cr, unsigned accessType, unsigned gpr, uint16_t lmswData = 0,
                             bool lmswMemory = false);
uint64_t drExitQualification(unsigned dr, bool fromDr, unsigned gpr);
struct EptAccess {
  bool read = false, write = false, fetch = false;
  uint8_t allowed = 0;  ///< R/W/X of the EPT entries (bits 0-2), AND-ed over the walk
  bool glaValid = true; ///< a linear address was being translated
  bool glaFinal = true; ///< ... and the access was to its final translation (not a walk)
  bool nmiUnblocking = false;
};
uint64_t eptViolationQualification(const EptAccess &a);
uint32_t interruptionInfo(uint8_t vector, InterruptionType type, bool hasErrorCode);

/// The facts per operation (name, basic exit reason, controlling bit), for views and docs.
struct GuestOpInfo {
  GuestOp op;
  std::string_view name;
  uint16_t reason;
  std::string_view control; ///< control bit name, "always", or "special"
};
std::span<const GuestOpInfo> guestOpInfos();
const GuestOpInfo &guestOpInfo(GuestOp op);

} // namespace ringside
