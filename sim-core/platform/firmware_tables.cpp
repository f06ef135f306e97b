#include "platform/firmware_tables.h"

#include "platform/layout.h"

#include <array>
#include <cstring>

namespace ringside {
namespace {

constexpr std::array kGdt = {
    GdtEntry{0x00, 0x0000000000000000, "null"},
    GdtEntry{0x08, 0x00CF9A000000FFFF, "ring-0 code, 32-bit, flat"},
    GdtEntry{0x10, 0x00CF92000000FFFF, "ring-0 data, flat"},
    GdtEntry{0x18, 0x00AF9A000000FFFF, "ring-0 code, 64-bit"},
    GdtEntry{0x20, 0x00CFFA000000FFFF, "ring-3 code, 32-bit, flat (selector 0x23)"},
    GdtEntry{0x28, 0x00CFF2000000FFFF, "ring-3 data, flat (selector 0x2B)"},
    GdtEntry{0x30, 0x00AFFA000000FFFF, "ring-3 code, 64-bit (selector 0x33)"},
};

void put64(std::span<uint8_t> ram, uint64_t at, uint64_t value) {
  std::memcpy(ram.data() + at, &value, 8);
}

} // namespace

std::span<const GdtEntry> platformGdt() { return kGdt; }

void writeFirmwareTables(std::span<uint8_t> ram) {
  for (const auto &e : kGdt)
    put64(ram, layout::kPlatformGdt + e.selector, e.descriptor);
  constexpr uint64_t kPresentWritableUser = 0x7, kLargePage = 0x80;
  put64(ram, layout::kPlatformPml4, layout::kPlatformPdpt | kPresentWritableUser);
  put64(ram, layout::kPlatformPdpt, layout::kPlatformPd | kPresentWritableUser);
  for (uint64_t i = 0; i < 512; ++i)
    put64(ram, layout::kPlatformPd + 8 * i, (i << 21) | kPresentWritableUser | kLargePage);
}

} // namespace ringside
