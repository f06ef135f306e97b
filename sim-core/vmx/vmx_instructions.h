#pragma once
// The contract between the VMX instruction model (vmx_machine.h) and the CPU it runs on: what the
// model asks the CPU, what each instruction returns, the register state a VM entry or exit
// hands back for the caller to load, and the capability MSRs the model reports beyond the
// control MSRs of vmx_controls.h (SDM vol. 3C appendix A; a Skylake-class part throughout).
#include "vmx/vmcs.h"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ringside {

/// The operating mode as the VMX instructions test it (CR0.PE, RFLAGS.VM, IA32_EFER.LMA, CS.L).
enum class VmxCpuMode : uint8_t { Real, Virtual8086, Protected, Compatibility, Long64 };

namespace vmx_cap {
/// IA32_VMX_BASIC[30:0]: the VMCS revision identifier. 4 is what Skylake parts report, the
/// same part the control capabilities in vmx_controls.h describe. Guest VMMs read it with
/// RDMSR 0x480 and store it in the first 4 bytes of their VMXON and VMCS regions.
inline constexpr uint32_t VmcsRevisionId = 4;
inline constexpr unsigned PhysAddrBits = 39; ///< MAXPHYADDR; VMX_BASIC[48] = 0 (no 32-bit limit)
inline constexpr unsigned LinearAddrBits = 48;
// IA32_VMX_CR0_FIXED0/1, IA32_VMX_CR4_FIXED0/1: bits fixed to 1 (FIXED0) / allowed to be 1.
inline constexpr uint64_t Cr0Fixed0 = 0x80000021; ///< PE, NE, PG
inline constexpr uint64_t Cr0Fixed1 = 0xffffffff;
inline constexpr uint64_t Cr4Fixed0 = 0x2000;   ///< VMXE
inline constexpr uint64_t Cr4Fixed1 = 0x3767ff; ///< no UMIP, LA57, PKE (Skylake client)
inline constexpr uint64_t Cr0Pe = 1, Cr0Pg = 1ull << 31, Cr4Pae = 1ull << 5, Cr4Vmxe = 1ull << 13,
                          Cr4Pcide = 1ull << 17;
/// Activity states VM entry accepts (IA32_VMX_MISC bits 8:6: HLT, shutdown, wait-for-SIPI).
inline constexpr uint32_t MaxActivityState = 3;
/// INVEPT types supported (bit n = type n): single-context (1) and all-context (2).
inline constexpr uint32_t InveptTypes = 0b0110;
/// INVVPID types: individual-address, single-context, all-context,
/// single-context-retaining-globals.
inline constexpr uint32_t InvvpidTypes = 0b1111;
/// IA32_VMX_MISC[27:25] = 0: at most 512 entries in each MSR-load/store list.
inline constexpr uint32_t MaxMsrListEntries = 512;

uint64_t basicMsr();      ///< IA32_VMX_BASIC (0x480)
uint64_t miscMsr();       ///< IA32_VMX_MISC (0x485)
uint64_t eptVpidCapMsr(); ///< IA32_VMX_EPT_VPID_CAP (0x48c)
} // namespace vmx_cap

/// IA32_FEATURE_CONTROL (MSR 0x3a) bits VMXON tests.
namespace feature_control {
inline constexpr uint64_t Lock = 1u << 0;
inline constexpr uint64_t VmxInsideSmx = 1u << 1;
inline constexpr uint64_t VmxOutsideSmx = 1u << 2;
} // namespace feature_control

/// The CPU the guest hypervisor runs on, as the VMX instructions see it. The caller implements it.
class VmxCpu {
public:
  virtual ~VmxCpu() = default;
  virtual uint8_t cpl() const = 0;
  virtual uint64_t cr0() const = 0;
  virtual uint64_t cr4() const = 0;
  virtual uint64_t rflags() const = 0;
  /// The model applies the VMsucceed / VMfailInvalid / VMfailValid flag conventions here.
  virtual void setRflags(uint64_t value) = 0;
  virtual VmxCpuMode mode() const = 0;
  virtual uint64_t featureControl() const = 0; ///< IA32_FEATURE_CONTROL
  /// Blocking by MOV SS is in effect (VMLAUNCH/VMRESUME then fail with error 26).
  virtual bool blockedByMovSs() const { return false; }
  /// Guest-physical memory. false: nothing backs the address (reads then see all ones, as on a
  /// bus with no device).
  virtual bool readPhys(uint64_t gpa, void *dst, size_t len) = 0;
  virtual bool writePhys(uint64_t gpa, const void *src, size_t len) = 0;
};

/// A segment register as the VMCS holds it; accessRights in VMCS format (bit 16 = unusable).
struct SegmentState {
  uint16_t selector = 0;
  uint64_t base = 0;
  uint32_t limit = 0;
  uint32_t accessRights = 0;
};

enum class SegReg : uint8_t { Es, Cs, Ss, Ds, Fs, Gs, Ldtr, Tr };
inline constexpr size_t kSegRegCount = 8;

/// The processor state a VM entry loads (from the guest-state area) or a VM exit saves (into it)
/// and loads (from the host-state area).
struct VmxRegisterState {
  uint64_t cr0 = 0, cr3 = 0, cr4 = 0, dr7 = 0x400;
  uint64_t rsp = 0, rip = 0, rflags = 2;
  std::array<SegmentState, kSegRegCount> seg{}; ///< indexed by SegReg
  uint64_t gdtrBase = 0, idtrBase = 0;
  uint32_t gdtrLimit = 0, idtrLimit = 0;
  uint32_t sysenterCs = 0;
  uint64_t sysenterEsp = 0, sysenterEip = 0;
  uint64_t efer = 0, pat = 0x0007040600070406ull;
  uint32_t activityState = 0;    ///< 0 active, 1 HLT, 2 shutdown, 3 wait-for-SIPI
  uint32_t interruptibility = 0; ///< GUEST_INTERRUPTIBILITY_INFO bits
  SegmentState &operator[](SegReg r) { return seg[size_t(r)]; }
  const SegmentState &operator[](SegReg r) const { return seg[size_t(r)]; }
};

struct MsrWrite {
  uint32_t index = 0;
  uint64_t value = 0;
};

/// A root/non-root transition the caller must apply to the CPU.
struct VmxTransition {
  VmxRegisterState state;     ///< load it, except as the three members below say
  uint64_t eferMask = ~0ull;  ///< EFER bits to load; the others keep their value
  bool loadPat = true;        ///< load state.pat
  bool loadDr7 = true;        ///< load state.dr7
  std::vector<MsrWrite> msrs; ///< then write these MSRs, in order
  uint32_t injection = 0;     ///< VM entry: VM-entry interruption information (bit 31 = inject)
  uint32_t injectionErrorCode = 0;
  uint32_t injectionLength = 0; ///< instruction length for software interrupts/exceptions
};

/// INVEPT/INVVPID accepted: what the caller should flush (emit a TLB-flush event).
struct TlbFlush {
  bool ept = false;    ///< INVEPT (else INVVPID)
  uint32_t type = 0;   ///< the instruction's type operand
  uint64_t eptp = 0;   ///< INVEPT single-context
  uint16_t vpid = 0;   ///< INVVPID types 0, 1, 3
  uint64_t linear = 0; ///< INVVPID type 0
};

enum class VmxStatus : uint8_t {
  Succeed,     ///< VMsucceed: CF PF AF ZF SF OF cleared
  FailInvalid, ///< VMfailInvalid: CF=1 (no current VMCS to hold an error number)
  FailValid,   ///< VMfailValid: ZF=1, `error` in VM_INSTRUCTION_ERROR of the current VMCS
  Ud,          ///< #UD: the instruction did nothing
  Gp,          ///< #GP(0)
  NestedExit,  ///< executed in VMX non-root: VM exit to the guest hypervisor (`exitReason`)
  Entered,     ///< VMLAUNCH/VMRESUME accepted: apply `transition` (guest state), now non-root
  EntryFailed, ///< entry failed on guest state or MSR loading: apply `transition` (host state)
};
std::string_view vmxStatusName(VmxStatus s); ///< "VMsucceed", "#UD", "VM-entry failure", …

struct VmxResult {
  VmxStatus status = VmxStatus::Succeed;
  uint32_t error = 0;      ///< FailValid: VM-instruction error number
  uint64_t value = 0;      ///< VMREAD: the value read; VMPTRST: the pointer stored
  uint16_t exitReason = 0; ///< NestedExit: basic exit reason; EntryFailed: basic reason (33, 34)
  std::string_view why;    ///< the SDM check that decided a failure, for students
  std::optional<VmxTransition> transition;
  std::optional<TlbFlush> flush;
};

/// Encodings the VMX instructions use beyond vmcs_fields.h's `vmcs::` set (checked by name in
/// tests).
namespace vmcs_state {
inline constexpr uint32_t ExitMsrStoreAddr = 0x2006, ExitMsrLoadAddr = 0x2008,
                          EntryMsrLoadAddr = 0x200a, VirtualApicPageAddr = 0x2012,
                          VmcsLinkPointer = 0x2800, GuestIa32Debugctl = 0x2802,
                          GuestIa32Pat = 0x2804, GuestIa32Efer = 0x2806, HostIa32Pat = 0x2c00,
                          HostIa32Efer = 0x2c02;
inline constexpr uint32_t ExitMsrStoreCount = 0x400e, ExitMsrLoadCount = 0x4010,
                          EntryMsrLoadCount = 0x4014, EntryExceptionErrorCode = 0x4018,
                          EntryInstructionLen = 0x401a;
inline constexpr uint32_t GuestGdtrLimit = 0x4810, GuestIdtrLimit = 0x4812,
                          GuestInterruptibility = 0x4824, GuestActivityState = 0x4826,
                          GuestSysenterCs = 0x482a, HostSysenterCs = 0x4c00;
inline constexpr uint32_t GuestGdtrBase = 0x6816, GuestIdtrBase = 0x6818, GuestDr7 = 0x681a,
                          GuestRsp = 0x681c, GuestRflags = 0x6820, GuestSysenterEsp = 0x6824,
                          GuestSysenterEip = 0x6826;
inline constexpr uint32_t HostCr0 = 0x6c00, HostCr3 = 0x6c02, HostCr4 = 0x6c04,
                          HostGdtrBase = 0x6c0c, HostIdtrBase = 0x6c0e, HostSysenterEsp = 0x6c10,
                          HostSysenterEip = 0x6c12, HostRsp = 0x6c14, HostRip = 0x6c16;
} // namespace vmcs_state

/// A segment register's VMCS fields; 0 where the host-state area has no such field.
struct SegmentFields {
  SegReg reg;
  std::string_view name; ///< "ES" … "TR"
  uint32_t selector, limit, accessRights, base;
  uint32_t hostSelector, hostBase;
};
std::span<const SegmentFields> segmentFields(); ///< ES CS SS DS FS GS LDTR TR, in SegReg order

// The state transfer of VM entry and VM exit, field by field (SDM 26.3.2, 27.3, 27.5).
/// The guest-state area as the registers VM entry loads (EFER per "load IA32_EFER"/"IA-32e mode
/// guest").
VmxTransition loadGuestState(const Vmcs &vmcs);
/// VM exit: the guest's registers into the guest-state area (DR7/PAT/EFER per the exit controls).
void saveGuestState(Vmcs &vmcs, const VmxRegisterState &guest);
/// VM exit: the host-state area as registers, with the fixed values the SDM gives for the rest.
VmxTransition loadHostState(const Vmcs &vmcs);

} // namespace ringside
