#include "mmu/host_memory.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <stdexcept>

namespace ringside {

void HostMemory::addRegion(uint64_t base, uint64_t size) {
  Region r;
  r.base = base;
  r.owned.resize(size);
  r.data = r.owned.data(); // a vector's buffer does not move when the vector does
  r.size = size;
  regions_.push_back(std::move(r));
}

void HostMemory::addExternalRegion(uint64_t base, uint8_t *bytes, uint64_t size) {
  regions_.push_back(Region{base, bytes, size, {}});
}

const uint8_t *HostMemory::findSpan(uint64_t pa, size_t n) const {
  for (size_t i = 0; i < regions_.size(); ++i)
    if (inside(regions_[i], pa, n)) {
      last_ = i;
      return regions_[i].data + (pa - regions_[i].base);
    }
  return nullptr;
}

uint8_t *HostMemory::span(uint64_t pa, size_t n) {
  return const_cast<uint8_t *>(static_cast<const HostMemory *>(this)->span(pa, n));
}

bool HostMemory::write(uint64_t pa, const void *src, size_t n) {
  uint8_t *p = span(pa, n);
  if (!p)
    return false;
  std::memcpy(p, src, n);
  return true;
}

uint64_t HostMemory::read64(uint64_t pa) const {
  std::array<uint8_t, 8> raw{};
  if (!read(pa, raw.data(), raw.size()))
    return ~uint64_t{0};
  uint64_t v = 0;
  for (unsigned i = 0; i < raw.size(); ++i)
    v |= uint64_t{raw[i]} << (8 * i);
  return v;
}

void HostMemory::write64(uint64_t pa, uint64_t value) {
  std::array<uint8_t, 8> raw{};
  for (unsigned i = 0; i < raw.size(); ++i)
    raw[i] = static_cast<uint8_t>(value >> (8 * i));
  write(pa, raw.data(), raw.size());
}

PageAllocator::PageAllocator(HostMemory &memory, uint64_t base, uint64_t size)
    : memory_(memory), base_(base), size_(size), next_(base) {
  if (!memory_.span(base, size))
    memory_.addRegion(base, size);
}

uint64_t PageAllocator::allocate() {
  uint64_t page = 0;
  if (!free_.empty()) {
    page = free_.back();
    free_.pop_back();
  } else {
    if (next_ + 4096 > base_ + size_)
      throw std::length_error("page-table pool exhausted");
    page = next_;
    next_ += 4096;
  }
  std::fill_n(memory_.span(page, 4096), 4096, uint8_t{0});
  return page;
}

} // namespace ringside
