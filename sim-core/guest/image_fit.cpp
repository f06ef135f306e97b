#include "guest/image_fit.h"

#include "errors.h"
#include "platform/layout.h"
#include "util/hex.h"

#include <cstdio>

namespace ringside {
namespace {

struct ReservedRange {
  uint64_t base;
  uint64_t end; ///< exclusive
  const char *name;
  /// Reserved only when the platform builds its own GDT and page tables (protected/long entry).
  bool onlyForPlatformTables;
};

constexpr ReservedRange kReservedRanges[] = {
    {layout::kVgaBase, layout::kVgaBase + layout::kVgaSize, "the VGA text window", false},
    {layout::kPlatformBase, layout::kPlatformEnd,
     "the platform's reserved range for its GDT and page tables (protected and long entry)", true},
};

std::string range(uint64_t base, uint64_t end) { return hex(base) + ".." + hex(end - 1); }

[[noreturn]] void fail(const GuestImage &image, const std::string &what) {
  throw InputError("guest '" + image.path + "': " + what);
}

void checkInsideRam(const GuestImage &image, const ImageSegment &segment, uint64_t ramBytes) {
  const std::string ram = "guest RAM (" + formatMemorySize(ramBytes) + ")";
  if (segment.gpa >= ramBytes)
    fail(image, "load address " + hex(segment.gpa) + " is outside " + ram);
  const std::string size = std::to_string(segment.memSize) + " bytes";
  if (segment.memSize > ramBytes)
    fail(image, "image is " + size + ", larger than " + ram);
  if (segment.memSize > ramBytes - segment.gpa)
    fail(image, "image is " + size + " at load address " + hex(segment.gpa) +
                    ", which runs past the end of " + ram);
}

bool usesPlatformTables(EntryMode mode) { return mode != EntryMode::Real; }

} // namespace

std::string formatMemorySize(uint64_t bytes) {
  constexpr uint64_t kKiB = 1024, kMiB = kKiB * 1024, kGiB = kMiB * 1024;
  if (bytes != 0 && bytes % kGiB == 0)
    return std::to_string(bytes / kGiB) + " GiB";
  if (bytes != 0 && bytes % kMiB == 0)
    return std::to_string(bytes / kMiB) + " MiB";
  if (bytes != 0 && bytes % kKiB == 0)
    return std::to_string(bytes / kKiB) + " KiB";
  return std::to_string(bytes) + " bytes";
}

void checkImageFits(const GuestImage &image, uint64_t ramBytes) {
  for (const auto &segment : image.segments) {
    if (segment.memSize == 0)
      continue;
    checkInsideRam(image, segment, ramBytes);
    const uint64_t end = segment.gpa + segment.memSize;
    for (const auto &reserved : kReservedRanges) {
      if (reserved.onlyForPlatformTables && !usesPlatformTables(image.entryMode))
        continue;
      if (segment.gpa < reserved.end && reserved.base < end)
        fail(image, "segment " + range(segment.gpa, end) + " overlaps " + reserved.name + " " +
                        range(reserved.base, reserved.end));
    }
  }
  for (const auto &segment : image.segments)
    if (image.entry >= segment.gpa && image.entry - segment.gpa < segment.memSize)
      return;
  fail(image, "entry point " + hex(image.entry) + " is outside every loaded segment");
}

} // namespace ringside
