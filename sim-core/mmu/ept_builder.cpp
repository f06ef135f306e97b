#include "mmu/ept_builder.h"

#include "mmu/ept.h"

#include <stdexcept>

namespace ringside {

using namespace ept;

namespace {
unsigned shiftOf(unsigned level) { return 12 + 9 * (level - 1); }
unsigned leafLevel(uint64_t pageSize) {
  for (unsigned level = 1; level <= 3; ++level)
    if (pageSize == uint64_t{1} << shiftOf(level))
      return level;
  throw std::invalid_argument("EPT page size must be 4 KiB, 2 MiB or 1 GiB");
}
} // namespace

EptBuilder::EptBuilder(PageAllocator &pages) : pages_(pages), root_(pages.allocate()) {}

uint64_t EptBuilder::eptp(bool accessedDirty) const { return makeEptp(root_, accessedDirty); }

uint64_t EptBuilder::tableFor(uint64_t gpa, unsigned level) {
  uint64_t table = root_;
  HostMemory &mem = pages_.memory();
  for (unsigned l = 4; l > level; --l) {
    const uint64_t addr = table + ((gpa >> shiftOf(l)) & 0x1FF) * 8;
    uint64_t entry = mem.read64(addr);
    if (!(entry & kRwx)) {
      entry = pages_.allocate() | kRwx;
      mem.write64(addr, entry);
    } else if (entry & kLargePage) {
      throw std::invalid_argument("EPT range overlaps a large page");
    }
    table = entry & kAddrMask;
  }
  return table;
}

void EptBuilder::map(uint64_t gpa, uint64_t hpa, uint64_t size, uint64_t pageSize, uint8_t rwx,
                     MemoryType type) {
  const unsigned level = leafLevel(pageSize);
  if ((gpa | hpa | size) & (pageSize - 1))
    throw std::invalid_argument("EPT mapping not aligned to its page size");
  for (uint64_t off = 0; off < size; off += pageSize) {
    const uint64_t table = tableFor(gpa + off, level);
    const uint64_t entry = ((hpa + off) & kAddrMask) | (rwx & kRwx) |
                           (uint64_t(type) << kMemoryTypeShift) | (level > 1 ? kLargePage : 0);
    pages_.memory().write64(table + (((gpa + off) >> shiftOf(level)) & 0x1FF) * 8, entry);
  }
}

uint64_t EptBuilder::entryAddress(uint64_t gpa, unsigned level) const {
  uint64_t table = root_;
  const HostMemory &mem = pages_.memory();
  for (unsigned l = 4;; --l) {
    const uint64_t addr = table + ((gpa >> shiftOf(l)) & 0x1FF) * 8;
    if (l == level)
      return addr;
    const uint64_t entry = mem.read64(addr);
    if (!(entry & kRwx) || (entry & kLargePage) || l == 1)
      return 0;
    table = entry & kAddrMask;
  }
}

uint64_t buildIdentityEpt(PageAllocator &pages, uint64_t ramSize, uint64_t pageSize,
                          bool accessedDirty) {
  EptBuilder builder(pages);
  const uint64_t size = (ramSize + pageSize - 1) & ~(pageSize - 1);
  builder.map(0, 0, size, pageSize);
  return builder.eptp(accessedDirty);
}

} // namespace ringside
