#include "vmx/vmx_msrs.h"

#include "vmx/vmcs_fields.h"
#include "vmx/vmx_controls.h"
#include "vmx/vmx_instructions.h"

#include <array>

namespace ringside {
namespace {

constexpr std::array kMsrs = {
    VmxMsrInfo{0x480, "IA32_VMX_BASIC"},
    VmxMsrInfo{0x481, "IA32_VMX_PINBASED_CTLS"},
    VmxMsrInfo{0x482, "IA32_VMX_PROCBASED_CTLS"},
    VmxMsrInfo{0x483, "IA32_VMX_EXIT_CTLS"},
    VmxMsrInfo{0x484, "IA32_VMX_ENTRY_CTLS"},
    VmxMsrInfo{0x485, "IA32_VMX_MISC"},
    VmxMsrInfo{0x486, "IA32_VMX_CR0_FIXED0"},
    VmxMsrInfo{0x487, "IA32_VMX_CR0_FIXED1"},
    VmxMsrInfo{0x488, "IA32_VMX_CR4_FIXED0"},
    VmxMsrInfo{0x489, "IA32_VMX_CR4_FIXED1"},
    VmxMsrInfo{0x48a, "IA32_VMX_VMCS_ENUM"},
    VmxMsrInfo{0x48b, "IA32_VMX_PROCBASED_CTLS2"},
    VmxMsrInfo{0x48c, "IA32_VMX_EPT_VPID_CAP"},
    VmxMsrInfo{0x48d, "IA32_VMX_TRUE_PINBASED_CTLS"},
    VmxMsrInfo{0x48e, "IA32_VMX_TRUE_PROCBASED_CTLS"},
    VmxMsrInfo{0x48f, "IA32_VMX_TRUE_EXIT_CTLS"},
    VmxMsrInfo{0x490, "IA32_VMX_TRUE_ENTRY_CTLS"},
    VmxMsrInfo{0x491, "IA32_VMX_VMFUNC"},
};

// The legacy (non-TRUE) control MSRs report the default1 bits as fixed to 1 (SDM A.2).
constexpr std::array kLegacyControls = {
    std::pair{0x481u, vmcs::PinBasedControls}, std::pair{0x482u, vmcs::CpuBasedControls},
    std::pair{0x483u, vmcs::ExitControls}, std::pair{0x484u, vmcs::EntryControls}};

uint64_t vmcsEnum() {
  // Bits 9:1: the highest index value any field encoding uses (encoding bits 9:1).
  uint32_t highest = 0;
  for (const auto &f : vmcsFields())
    highest = std::max(highest, (f.encoding >> 1) & 0x1ff);
  return uint64_t(highest) << 1;
}

} // namespace

std::span<const VmxMsrInfo> vmxCapabilityMsrs() { return kMsrs; }

std::optional<uint64_t> vmxCapabilityMsr(uint32_t index) {
  switch (index) {
  case 0x480:
    return vmx_cap::basicMsr();
  case 0x485:
    return vmx_cap::miscMsr();
  case 0x486:
    return vmx_cap::Cr0Fixed0;
  case 0x487:
    return vmx_cap::Cr0Fixed1;
  case 0x488:
    return vmx_cap::Cr4Fixed0;
  case 0x489:
    return vmx_cap::Cr4Fixed1;
  case 0x48a:
    return vmcsEnum();
  case 0x48c:
    return vmx_cap::eptVpidCapMsr();
  case 0x491:
    return 0; // no VM functions
  default:
    break;
  }
  for (auto [msr, field] : kLegacyControls)
    if (msr == index) {
      const ControlCapability *c = findControlCapability(field);
      return uint64_t(c->mayBeOne) << 32 | (c->mustBeOne | c->default1);
    }
  for (const auto &c : controlCapabilities())
    if (c.msr == index)
      return c.msrValue();
  return std::nullopt;
}

} // namespace ringside
