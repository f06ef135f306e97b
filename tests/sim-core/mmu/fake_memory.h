#pragma once
// A sparse guest-physical memory for walker tests: 4 KiB pages exist only once the test puts
// something in them, so any other address behaves like a hole in RAM.
#include "mmu/page_walker.h"

#include <array>
#include <map>
#include <vector>

namespace ringside::test {

class FakeMemory : public PhysicalMemory {
public:
  struct WriteRecord {
    uint64_t pa;
    size_t size;
  };

  bool read(uint64_t pa, void *dst, size_t n) const override {
    auto *out = static_cast<uint8_t *>(dst);
    for (size_t i = 0; i < n; ++i) {
      auto page = pages_.find((pa + i) >> 12);
      if (page == pages_.end())
        return false;
      out[i] = page->second[(pa + i) & 0xFFF];
    }
    return true;
  }

  bool write(uint64_t pa, const void *src, size_t n) override {
    for (size_t i = 0; i < n; ++i)
      if (!pages_.count((pa + i) >> 12))
        return false;
    writes_.push_back({pa, n});
    poke(pa, src, n);
    return true;
  }

  /// Test set-up: stores little-endian values, creating pages as needed; not logged as writes.
  void put32(uint64_t pa, uint32_t value) { putLe(pa, value, 4); }
  void put64(uint64_t pa, uint64_t value) { putLe(pa, value, 8); }
  uint64_t get64(uint64_t pa) const { return getLe(pa, 8); }
  uint32_t get32(uint64_t pa) const { return static_cast<uint32_t>(getLe(pa, 4)); }

  const std::vector<WriteRecord> &writes() const { return writes_; }
  void clearWrites() { writes_.clear(); }

private:
  void poke(uint64_t pa, const void *src, size_t n) {
    const auto *in = static_cast<const uint8_t *>(src);
    for (size_t i = 0; i < n; ++i)
      pages_[(pa + i) >> 12][(pa + i) & 0xFFF] = in[i];
  }
  void putLe(uint64_t pa, uint64_t value, size_t n) {
    std::array<uint8_t, 8> raw{};
    for (size_t i = 0; i < n; ++i)
      raw[i] = static_cast<uint8_t>(value >> (8 * i));
    poke(pa, raw.data(), n);
  }
  uint64_t getLe(uint64_t pa, size_t n) const {
    std::array<uint8_t, 8> raw{};
    if (!read(pa, raw.data(), n))
      return ~uint64_t{0};
    uint64_t value = 0;
    for (size_t i = 0; i < n; ++i)
      value |= uint64_t{raw[i]} << (8 * i);
    return value;
  }

  std::map<uint64_t, std::array<uint8_t, 4096>> pages_;
  std::vector<WriteRecord> writes_;
};

} // namespace ringside::test
