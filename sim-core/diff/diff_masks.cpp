#include "diff/diff_masks.h"

#include "platform/layout.h"

#include <array>

namespace ringside::diff {
namespace {

constexpr uint64_t bit(unsigned n) { return 1ull << n; }

constexpr std::array kRegisterMasks{
    RegisterMask{"cr0", bit(4),
                 "CR0.ET is hardwired to 1 on every CPU since the 486DX and KVM always reports it; "
                 "the emu backend reports the value the entry state or the guest wrote"},
    RegisterMask{"cr0", bit(5),
                 "CR0.NE: KVM sets it in its long-mode entry state (VMX needs NE=1), the emu "
                 "backend leaves it as the guest wrote it; no corpus guest uses x87 errors"},
    RegisterMask{"cr0", bit(29) | bit(30),
                 "CR0.NW/CD: KVM starts real mode with the CPU's reset value 0x60000010, the emu "
                 "backend with the caches enabled; caching is invisible to these guests"},
    RegisterMask{"rflags", bit(16),
                 "RFLAGS.RF is set by the CPU in fault frames and cleared after the next "
                 "instruction; the emu backend does not model it"},
};

constexpr std::array kExcludedRanges{
    ExcludedRange{layout::kPlatformBase, layout::kPlatformEnd,
                  "platform reserved range: the emu backend's boot stub and its stack live here"},
    ExcludedRange{layout::kVgaBase, layout::kVgaBase + layout::kVgaSize,
                  "VGA text window: an MMIO device, compared through the mmio sequence"},
};

} // namespace

std::span<const RegisterMask> registerMasks() { return kRegisterMasks; }
std::span<const ExcludedRange> excludedRamRanges() { return kExcludedRanges; }

uint64_t ignoredBits(std::string_view field) {
  uint64_t bits = 0;
  for (const auto &m : kRegisterMasks)
    if (m.field == field)
      bits |= m.ignoredBits;
  return bits;
}

std::string_view maskReason(std::string_view field) {
  for (const auto &m : kRegisterMasks)
    if (m.field == field)
      return m.reason;
  return {};
}

bool pageExcluded(uint64_t pageAddr) {
  for (const auto &r : kExcludedRanges)
    if (pageAddr >= r.begin && pageAddr < r.end)
      return true;
  return false;
}

} // namespace ringside::diff
