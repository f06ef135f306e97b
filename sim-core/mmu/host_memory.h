#pragma once
// Physical memory for the models: a few flat regions at chosen addresses (guest RAM, the
// VMM's table pages), plus a bump allocator for page-table pages. Reads and writes outside
// every region fail, which the walkers treat as a not-present entry.
#include "mmu/page_walker.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace ringside {

class HostMemory final : public PhysicalMemory {
public:
  /// Adds a zero-filled region [base, base+size); regions must not overlap.
  void addRegion(uint64_t base, uint64_t size);
  /// Adds a region whose bytes live elsewhere (the emu backend's guest RAM, which Unicorn
  /// also maps): the models then read and write the very bytes the guest runs on. The caller
  /// keeps `bytes` alive for as long as this HostMemory is used.
  void addExternalRegion(uint64_t base, uint8_t *bytes, uint64_t size);
  bool read(uint64_t pa, void *dst, size_t n) const override {
    const uint8_t *p = span(pa, n);
    if (!p)
      return false;
    if (n == 8) // page-table entries: a fixed-size copy the compiler inlines
      std::memcpy(dst, p, 8);
    else
      std::memcpy(dst, p, n);
    return true;
  }
  bool write(uint64_t pa, const void *src, size_t n) override;
  /// The bytes at [pa, pa+n) when they lie in one region, else nullptr.
  uint8_t *span(uint64_t pa, size_t n);
  const uint8_t *span(uint64_t pa, size_t n) const {
    // Inline fast path: walks stay in one or two regions.
    if (last_ < regions_.size() && inside(regions_[last_], pa, n))
      return regions_[last_].data + (pa - regions_[last_].base);
    return findSpan(pa, n);
  }

  uint64_t read64(uint64_t pa) const; ///< ~0 when not backed
  void write64(uint64_t pa, uint64_t value);

private:
  struct Region {
    uint64_t base = 0;
    uint8_t *data = nullptr; ///< owned.data(), or external bytes
    uint64_t size = 0;
    std::vector<uint8_t> owned;
  };
  static bool inside(const Region &r, uint64_t pa, size_t n) {
    return pa >= r.base && pa - r.base <= r.size && n <= r.size - (pa - r.base);
  }
  const uint8_t *findSpan(uint64_t pa, size_t n) const;

  std::vector<Region> regions_;
  mutable size_t last_ = 0; ///< the region the last access hit
};

/// Hands out zeroed 4 KiB pages from [base, base+size) of a HostMemory region.
class PageAllocator {
public:
  PageAllocator(HostMemory &memory, uint64_t base, uint64_t size);
  /// A free page's address (zeroed); throws std::length_error when the range is used up.
  uint64_t allocate();
  /// Gives a page back for reuse.
  void release(uint64_t page) { free_.push_back(page); }
  uint64_t pagesUsed() const { return ((next_ - base_) >> 12) - free_.size(); }
  uint64_t base() const { return base_; }
  uint64_t size() const { return size_; }
  HostMemory &memory() { return memory_; }

private:
  HostMemory &memory_;
  uint64_t base_, size_, next_;
  std::vector<uint64_t> free_;
};

/// The VMM's guest-physical → host-physical map for guest RAM: [0, ramSize) at
/// [hostBase, hostBase + ramSize). Addresses past RAM have no host page.
struct GuestRamMap {
  uint64_t ramSize = 0;
  uint64_t hostBase = 0;
  bool toHost(uint64_t gpa, uint64_t &hpa) const {
    if (gpa >= ramSize)
      return false;
    hpa = hostBase + gpa;
    return true;
  }
  bool toGuest(uint64_t hpa, uint64_t &gpa) const {
    if (hpa < hostBase || hpa - hostBase >= ramSize)
      return false;
    gpa = hpa - hostBase;
    return true;
  }
};

/// Guest-physical memory as the guest sees it, backed by host memory through a GuestRamMap.
class GuestPhysicalView : public PhysicalMemory {
public:
  GuestPhysicalView(PhysicalMemory &host, GuestRamMap map) : host_(host), map_(map) {}
  bool read(uint64_t gpa, void *dst, size_t n) const override {
    uint64_t hpa = 0;
    return n <= map_.ramSize && gpa <= map_.ramSize - n && map_.toHost(gpa, hpa) &&
           host_.read(hpa, dst, n);
  }
  bool write(uint64_t gpa, const void *src, size_t n) override {
    uint64_t hpa = 0;
    return n <= map_.ramSize && gpa <= map_.ramSize - n && map_.toHost(gpa, hpa) &&
           host_.write(hpa, src, n);
  }

private:
  PhysicalMemory &host_;
  GuestRamMap map_;
};

} // namespace ringside
