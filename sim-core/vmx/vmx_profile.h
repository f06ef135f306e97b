#pragma once
// Hypervisor profiles: the VMCS control settings a monitor chooses for a simple guest, each with
// its reason, selectable by name (`--vmx-profile`) and adjustable bit by bit (`--vmx-set`).
// docs/vmx-profile.md explains every entry.
#include "vmx/vmcs.h"

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace ringside {

struct ProfileControl {
  std::string_view control; ///< a name from vmx_controls.h, e.g. "cpu_based.hlt_exiting"
  std::string_view why;
};

struct ProfileField {
  uint32_t encoding;
  uint64_t value;
  std::string_view why;
};

struct VmxProfile {
  std::string_view name; ///< "kvm-like", "shadow-paging"
  std::string_view summary;
  std::span<const ProfileControl> controls; ///< bits set to 1 (default1 bits are added)
  std::span<const ProfileField> fields;
  bool interceptAllIo;   ///< fill I/O bitmaps A and B with ones
  bool interceptAllMsrs; ///< fill the MSR bitmap with ones
};

std::span<const VmxProfile> vmxProfiles();
const VmxProfile *findVmxProfile(std::string_view name);
const VmxProfile &defaultVmxProfile(); ///< "kvm-like"

/// Where the model-owned bitmap pages "live" (host-physical on hardware; above 4 GiB here so
/// they never alias guest RAM).
namespace vmx_page {
inline constexpr uint64_t IoBitmapA = 0x100000000ull;
inline constexpr uint64_t IoBitmapB = 0x100001000ull;
inline constexpr uint64_t MsrBitmap = 0x100002000ull;
} // namespace vmx_page

/// Writes the profile's controls (adjusted by the capability MSRs), fields and bitmaps.
void applyVmxProfile(Vmcs &vmcs, const VmxProfile &profile);
/// Sets the CR0/CR4 read shadows to what the guest believes it holds (done at guest reset).
void setCrReadShadows(Vmcs &vmcs, uint64_t cr0, uint64_t cr4);
/// Applies `--vmx-set` items in order; stops at the first bad one (message in `error`).
bool applyVmxOverrides(Vmcs &vmcs, std::span<const std::string> items, std::string *error);

} // namespace ringside
