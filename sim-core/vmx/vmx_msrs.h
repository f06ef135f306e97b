#pragma once
// The VMX capability MSRs (IA32_VMX_BASIC 0x480 … IA32_VMX_VMFUNC 0x491) as one table: what a
// guest-written hypervisor reads with RDMSR to learn the VMCS revision, the allowed control
// settings and the fixed CR0/CR4 bits. Values come from the model (vmx_controls.h,
// vmx_instructions.h), so what RDMSR reports is what VM entry checks.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ringside {

inline constexpr uint32_t kFeatureControlMsr = 0x3a; ///< IA32_FEATURE_CONTROL

struct VmxMsrInfo {
  uint32_t index;
  std::string_view name; ///< "IA32_VMX_BASIC", …
};
std::span<const VmxMsrInfo> vmxCapabilityMsrs();

/// The value RDMSR returns; nullopt for an index that is not a VMX capability MSR.
std::optional<uint64_t> vmxCapabilityMsr(uint32_t index);

} // namespace ringside
