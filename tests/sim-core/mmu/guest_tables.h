#pragma once
// Builds a 4-level guest address space in guest-physical memory, the way a guest kernel
// would: table pages from a bump allocator, entries with chosen flags, 4 KiB / 2 MiB / 1 GiB
// leaves. Used by the EPT, 2-D walk and shadow-paging suites.
#include "mmu/host_memory.h"
#include "mmu/page_walker.h"

#include <array>
#include <cstdint>
#include <stdexcept>

namespace ringside::test {

inline uint64_t load64(const PhysicalMemory &m, uint64_t pa) {
  std::array<uint8_t, 8> raw{};
  if (!m.read(pa, raw.data(), 8))
    return ~uint64_t{0};
  uint64_t v = 0;
  for (unsigned i = 0; i < 8; ++i)
    v |= uint64_t{raw[i]} << (8 * i);
  return v;
}

inline void store64(PhysicalMemory &m, uint64_t pa, uint64_t v) {
  std::array<uint8_t, 8> raw{};
  for (unsigned i = 0; i < 8; ++i)
    raw[i] = static_cast<uint8_t>(v >> (8 * i));
  if (!m.write(pa, raw.data(), 8))
    throw std::out_of_range("store64 outside memory");
}

/// Host memory holding guest RAM at [base, base+size), ready before members that use it.
inline HostMemory hostWithRam(uint64_t base, uint64_t size) {
  HostMemory m;
  m.addRegion(base, size);
  return m;
}

class GuestTables {
public:
  static constexpr uint64_t P = 1, W = 2, U = 4, PS = 0x80;

  /// Tables are taken from [tableBase, …) of guest-physical memory `mem`.
  GuestTables(PhysicalMemory &mem, uint64_t tableBase) : mem_(mem), next_(tableBase) {
    root_ = allocate();
  }
  uint64_t root() const { return root_; }
  uint64_t allocate() {
    const uint64_t page = next_;
    next_ += 4096;
    for (uint64_t off = 0; off < 4096; off += 8)
      store64(mem_, page + off, 0);
    return page;
  }
  /// Maps va → pa with a leaf at `leafLevel` (1: 4 KiB, 2: 2 MiB, 3: 1 GiB); intermediate
  /// entries get P|W|U, the leaf gets `flags` (and PS above level 1).
  void map(uint64_t va, uint64_t pa, uint64_t flags = P | W | U, unsigned leafLevel = 1) {
    uint64_t table = root_;
    for (unsigned level = 4; level > leafLevel; --level) {
      const uint64_t addr = table + index(va, level) * 8;
      uint64_t e = load64(mem_, addr);
      if (!(e & P)) {
        e = allocate() | P | W | U;
        store64(mem_, addr, e);
      }
      table = e & 0x000FFFFFFFFFF000ull;
    }
    store64(mem_, table + index(va, leafLevel) * 8, pa | flags | (leafLevel > 1 ? PS : 0));
  }
  /// Guest-physical address of the entry at `level` on va's path (tables must exist).
  uint64_t entryAddress(uint64_t va, unsigned level) const {
    uint64_t table = root_;
    for (unsigned l = 4; l > level; --l)
      table = load64(mem_, table + index(va, l) * 8) & 0x000FFFFFFFFFF000ull;
    return table + index(va, level) * 8;
  }
  static uint64_t index(uint64_t va, unsigned level) {
    return (va >> (12 + 9 * (level - 1))) & 0x1FF;
  }

  static PagingState longMode(uint64_t cr3) {
    return PagingState{(1ull << 31) | (1ull << 16) | 1, cr3, 1u << 5,
                       (1u << 8) | (1u << 10) | (1u << 11)};
  }

private:
  PhysicalMemory &mem_;
  uint64_t next_;
  uint64_t root_ = 0;
};

} // namespace ringside::test
