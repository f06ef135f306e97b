#pragma once
// Test fixtures for interrupt delivery: a byte-vector guest memory and encoders for the GDT,
// IDT and TSS entries the tests lay out in it.
#include "cpu/interrupt_delivery.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <iterator>
#include <vector>

namespace ringside::test {

class VectorMemory : public LinearMemory {
public:
  explicit VectorMemory(size_t size) : bytes_(size, 0) {}

  bool read(uint64_t linear, void *dst, size_t n) const override {
    if (linear > bytes_.size() || n > bytes_.size() - linear)
      return false;
    auto *out = static_cast<uint8_t *>(dst);
    for (size_t i = 0; i < n; ++i)
      out[i] = bytes_[linear + i];
    return true;
  }

  void put(uint64_t linear, uint64_t value, unsigned width) {
    for (unsigned i = 0; i < width; ++i)
      bytes_.at(linear + i) = static_cast<uint8_t>(value >> (8 * i));
  }

private:
  std::vector<uint8_t> bytes_;
};

struct SegmentBits {
  uint32_t base = 0;
  uint32_t limit = 0xFFFFF;
  uint8_t type = 0xB; ///< execute/read, accessed
  bool s = true;
  uint8_t dpl = 0;
  bool present = true;
  bool l = false;
  bool db = true;
  bool g = true;
};

inline uint64_t encodeSegment(const SegmentBits &b) {
  uint64_t raw = (b.limit & 0xFFFFu) | (uint64_t{b.base & 0xFFFFFFu} << 16);
  raw |= uint64_t{b.type & 0xFu} << 40 | uint64_t{b.s} << 44 | uint64_t{b.dpl & 3u} << 45;
  raw |= uint64_t{b.present} << 47 | uint64_t{(b.limit >> 16) & 0xFu} << 48;
  raw |= uint64_t{b.l} << 53 | uint64_t{b.db} << 54 | uint64_t{b.g} << 55;
  raw |= uint64_t{b.base >> 24} << 56;
  return raw;
}

inline uint64_t code32(uint8_t dpl) { return encodeSegment({.dpl = dpl}); }
inline uint64_t data32(uint8_t dpl, uint32_t base = 0) {
  return encodeSegment({.base = base, .type = 0x3, .dpl = dpl});
}
inline uint64_t code64(uint8_t dpl) { return encodeSegment({.dpl = dpl, .l = true, .db = false}); }

/// Low 8 bytes of a gate; `high` is the upper half of a 16-byte IA-32e gate.
inline uint64_t gateLow(uint16_t selector, uint64_t offset, uint8_t type, uint8_t dpl,
                        bool present = true, uint8_t ist = 0) {
  return (offset & 0xFFFFu) | uint64_t{selector} << 16 | uint64_t{ist & 7u} << 32 |
         uint64_t{type & 0xFu} << 40 | uint64_t{dpl & 3u} << 45 | uint64_t{present} << 47 |
         ((offset >> 16) & 0xFFFFu) << 48;
}
inline uint64_t gateHigh(uint64_t offset) { return offset >> 32; }

/// One expected push: its linear address, value and width in bytes.
struct Push {
  uint64_t linear;
  uint64_t value;
  unsigned width;
};

inline void expectWrites(const DeliveryPlan &plan, const std::vector<Push> &expected) {
  ASSERT_EQ(plan.writes.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto &w = plan.writes[i];
    EXPECT_EQ(w.linear, expected[i].linear) << "push " << i;
    ASSERT_EQ(w.bytes.size(), expected[i].width) << "push " << i;
    uint64_t value = 0;
    for (size_t b = 0; b < w.bytes.size(); ++b)
      value |= uint64_t{w.bytes[b]} << (8 * b);
    EXPECT_EQ(value, expected[i].value) << "push " << i;
  }
}

} // namespace ringside::test
