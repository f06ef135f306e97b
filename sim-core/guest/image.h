#pragma once
// A guest image: bytes to place in guest-physical memory, and how the CPU starts.
// Produced by guest/image_loader.h from .asm (nasm -f bin), flat .bin and ELF32/ELF64 files.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringside {

/// How the vCPU starts (see docs/platform.md, "Entry state").
enum class EntryMode : uint8_t {
  Real,      ///< CS=0, IP=load address, 16-bit
  Protected, ///< flat 32-bit segments from the platform GDT, paging off
  Long,      ///< 64-bit, first GiB identity-mapped by platform page tables
};

const char *entryModeName(EntryMode mode);
std::optional<EntryMode> parseEntryMode(const std::string &text);

struct ImageSegment {
  uint64_t gpa = 0;           ///< guest-physical load address
  std::vector<uint8_t> bytes; ///< file bytes
  uint64_t memSize = 0;       ///< size in memory (>= bytes.size(); the rest is zero-filled)
};

struct GuestImage {
  std::string path;                   ///< file it came from
  std::vector<ImageSegment> segments; ///< what to copy into guest RAM
  uint64_t entry = 0;                 ///< first instruction (guest-physical = linear at entry)
  EntryMode entryMode = EntryMode::Real;
  /// True when entryMode came from the file itself (ELF class, or a `; ringside: entry=` directive)
  /// rather than the default for its type.
  bool entryModeFromFile = false;
  /// nasm listing lines, when assembled from source: RIP ↔ source line for views (may be empty).
  std::string listing;
};

} // namespace ringside
