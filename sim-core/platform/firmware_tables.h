#pragma once
// The platform's own descriptor and page tables for the protected and long entry modes,
// written into the reserved range of guest RAM (docs/platform.md, "Entry state").
#include <cstdint>
#include <span>

namespace ringside {

struct GdtEntry {
  uint16_t selector;
  uint64_t descriptor;
  const char *what;
};

/// The platform GDT (null, ring-0 code32/data/code64, ring-3 code32/data/code64).
std::span<const GdtEntry> platformGdt();

/// Writes the GDT at layout::kPlatformGdt and, for long mode, a PML4/PDPT/PD identity map of
/// the first GiB with 2 MiB pages (present, writable, user) into `ram` (guest-physical from 0).
void writeFirmwareTables(std::span<uint8_t> ram);

} // namespace ringside
