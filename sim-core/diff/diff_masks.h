#pragma once
// What the differential test does not compare, in one place, each with its reason. A bit or a
// range belongs here only when two correct backends can legitimately disagree on it.
#include <cstdint>
#include <span>
#include <string_view>

namespace ringside::diff {

/// Bits of one final-state field ("cr0", "rflags", …) that are not compared.
struct RegisterMask {
  std::string_view field;
  uint64_t ignoredBits;
  std::string_view reason;
};

/// A guest-physical range left out of the RAM hash.
struct ExcludedRange {
  uint64_t begin; ///< inclusive, page-aligned
  uint64_t end;   ///< exclusive, page-aligned
  std::string_view reason;
};

std::span<const RegisterMask> registerMasks();
std::span<const ExcludedRange> excludedRamRanges();

/// The union of ignored bits for a field (0 when nothing is masked).
uint64_t ignoredBits(std::string_view field);
/// The reason of the first mask entry for a field (empty when nothing is masked).
std::string_view maskReason(std::string_view field);
/// True when the 4 KiB page at `pageAddr` lies in an excluded range.
bool pageExcluded(uint64_t pageAddr);

/// Accessed (bit 5) and Dirty (bit 6) of a paging-structure entry: the emu backend sets Dirty
/// when it maps a writable page, the CPU at the first write, so table pages are compared
/// without them.
inline constexpr uint64_t kAccessedDirtyBits = (1ull << 5) | (1ull << 6);

} // namespace ringside::diff
