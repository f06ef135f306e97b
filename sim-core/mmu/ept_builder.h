#pragma once
// What a VMM does to set up EPT: allocate a PML4 and map guest-physical ranges onto host pages
// with chosen permissions, memory type and page size.
#include "mmu/ept_bits.h"
#include "mmu/host_memory.h"

#include <cstdint>

namespace ringside {

class EptBuilder {
public:
  explicit EptBuilder(PageAllocator &pages);
  uint64_t root() const { return root_; }
  /// Write-back, 4-level, with or without A/D flags.
  uint64_t eptp(bool accessedDirty = false) const;

  /// Maps [gpa, gpa+size) to [hpa, hpa+size) with pages of `pageSize` (4 KiB, 2 MiB or
  /// 1 GiB; gpa, hpa and size aligned to it). Intermediate entries allow R/W/X.
  void map(uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t pageSize, uint8_t rwx = 7,
           ept::MemoryType type = ept::MemoryType::WB);
  /// Host-physical address of the entry at `level` (4 … 1) on gpa's path; 0 when the path
  /// stops above that level.
  uint64_t entryAddress(uint64_t gpa, unsigned level) const;

private:
  uint64_t tableFor(uint64_t gpa, unsigned level); ///< the table at `level`, created as needed
  PageAllocator &pages_;
  uint64_t root_ = 0;
};

/// The VMM's usual EPT for a guest: guest RAM [0, ramSize) identity-mapped, RWX, WB, with
/// 4 KiB or 2 MiB pages (ramSize is rounded up to the page size). Returns the EPTP.
uint64_t buildIdentityEpt(PageAllocator &pages, uint64_t ramSize, uint64_t pageSize,
                          bool accessedDirty = false);

} // namespace ringside
