#pragma once
// The VMX control bits (pin-based, primary and secondary processor-based, tertiary, VM-exit and
// VM-entry controls) as one table, the "group.name=0|1" override syntax of `--vmx-set`, and the
// capability MSRs that say which bits must be 1 (default1) and which may be 1.
#include "vmx/vmcs_fields.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ringside {

class Vmcs;

struct VmxControlBit {
  /// The reference name lower-cased with a dot after the group prefix:
  /// CPU_BASED_HLT_EXITING -> "cpu_based.hlt_exiting", VM_EXIT ACK_INTR_ON_EXIT ->
  /// "vm_exit.ack_intr_on_exit".
  std::string_view name;
  uint32_t field; ///< VMCS encoding of the control field
  uint8_t bit;
  uint64_t mask() const { return 1ull << bit; }
};

/// Every control bit the model knows (sorted by field, then bit).
std::span<const VmxControlBit> vmxControlBits();
const VmxControlBit *findControlBit(std::string_view name);
const VmxControlBit *findControlBit(uint32_t field, unsigned bit);
/// Is the bit set in the VMCS? Secondary bits count only when the primary "activate secondary
/// controls" is 1, tertiary bits only with "activate tertiary controls" — as hardware reads them.
bool controlOn(const Vmcs &vmcs, const VmxControlBit &bit);
bool controlOn(const Vmcs &vmcs, std::string_view name); ///< false for an unknown name

/// One `--vmx-set` item: "cpu_based.hlt_exiting=0".
struct ControlOverride {
  const VmxControlBit *bit = nullptr;
  bool value = false;
};
/// Parses "name=0|1" (also "name=on|off"); nullopt and a message in `error` otherwise.
std::optional<ControlOverride> parseControlOverride(std::string_view text,
                                                    std::string *error = nullptr);
std::string formatControlOverride(const ControlOverride &o); ///< "name=0" / "name=1"
/// Sets or clears the bit (a VMWRITE of the control field; change events fire).
void applyControlOverride(Vmcs &vmcs, const ControlOverride &o);

/// A control field's capability MSR as this model reports it (SDM appendix A.3-A.5):
/// bits in `mustBeOne` are default1 bits that the TRUE_* MSR still fixes at 1; `mayBeOne`
/// is every bit the model supports. Values modelled on a Skylake-class part.
struct ControlCapability {
  uint32_t field; ///< VMCS encoding
  uint32_t msr;   ///< IA32_VMX_TRUE_*_CTLS / IA32_VMX_PROCBASED_CTLS2 index
  std::string_view msrName;
  uint32_t default1;  ///< bits reserved as 1 without the TRUE MSRs (vmx_constants.json)
  uint32_t mustBeOne; ///< allowed-0 settings (MSR bits 31:0)
  uint32_t mayBeOne;  ///< allowed-1 settings (MSR bits 63:32)
  uint64_t msrValue() const { return uint64_t(mayBeOne) << 32 | mustBeOne; }
};
std::span<const ControlCapability> controlCapabilities();
const ControlCapability *findControlCapability(uint32_t field);
/// (value | mustBeOne) & mayBeOne: what KVM's adjust_vmx_controls() does to a wish list.
uint32_t adjustControls(uint32_t field, uint32_t value);
/// Would VM entry accept this control value? (false: VM-instruction error 7)
bool controlsValid(uint32_t field, uint32_t value);

namespace ctl {
// Masks the exit decision reads by name; the table above is the authority for names.
inline constexpr uint32_t ExtIntrExiting = 1u << 0; // pin-based
inline constexpr uint32_t NmiExiting = 1u << 3;
inline constexpr uint32_t VirtualNmis = 1u << 5;
inline constexpr uint32_t IntrWindowExiting = 1u << 2; // primary
inline constexpr uint32_t TscOffsetting = 1u << 3;
inline constexpr uint32_t HltExiting = 1u << 7;
inline constexpr uint32_t InvlpgExiting = 1u << 9;
inline constexpr uint32_t MwaitExiting = 1u << 10;
inline constexpr uint32_t RdpmcExiting = 1u << 11;
inline constexpr uint32_t RdtscExiting = 1u << 12;
inline constexpr uint32_t Cr3LoadExiting = 1u << 15;
inline constexpr uint32_t Cr3StoreExiting = 1u << 16;
inline constexpr uint32_t ActivateTertiary = 1u << 17;
inline constexpr uint32_t Cr8LoadExiting = 1u << 19;
inline constexpr uint32_t Cr8StoreExiting = 1u << 20;
inline constexpr uint32_t TprShadow = 1u << 21;
inline constexpr uint32_t NmiWindowExiting = 1u << 22;
inline constexpr uint32_t MovDrExiting = 1u << 23;
inline constexpr uint32_t UncondIoExiting = 1u << 24;
inline constexpr uint32_t UseIoBitmaps = 1u << 25;
inline constexpr uint32_t MonitorTrapFlag = 1u << 27;
inline constexpr uint32_t UseMsrBitmaps = 1u << 28;
inline constexpr uint32_t MonitorExiting = 1u << 29;
inline constexpr uint32_t PauseExiting = 1u << 30;
inline constexpr uint32_t ActivateSecondary = 1u << 31;
inline constexpr uint32_t EnableEpt = 1u << 1; // secondary
inline constexpr uint32_t DescTableExiting = 1u << 2;
inline constexpr uint32_t EnableRdtscp = 1u << 3;
inline constexpr uint32_t EnableVpid = 1u << 5;
inline constexpr uint32_t WbinvdExiting = 1u << 6;
inline constexpr uint32_t UnrestrictedGuest = 1u << 7;
inline constexpr uint32_t RdrandExiting = 1u << 11;
inline constexpr uint32_t EnableInvpcid = 1u << 12;
inline constexpr uint32_t RdseedExiting = 1u << 16;
inline constexpr uint32_t EnableXsaves = 1u << 20;
inline constexpr uint32_t AckIntrOnExit = 1u << 15; // VM-exit
} // namespace ctl

/// The effective control words (secondary reads as 0 unless activated).
uint32_t pinControls(const Vmcs &vmcs);
uint32_t primaryControls(const Vmcs &vmcs);
uint32_t secondaryControls(const Vmcs &vmcs);

} // namespace ringside
