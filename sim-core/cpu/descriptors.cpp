#include "cpu/descriptors.h"

#include <array>

namespace ringside {
namespace {

// SDM vol. 3 table 3-2 (legacy) and §6.14.1 (IA-32e: only 64-bit interrupt and trap gates).
constexpr std::array kGateTypes = {
    GateTypeInfo{0x5, false, GateKind::Task, 4, "task gate"},
    GateTypeInfo{0x6, false, GateKind::Interrupt, 2, "16-bit interrupt gate"},
    GateTypeInfo{0x7, false, GateKind::Trap, 2, "16-bit trap gate"},
    GateTypeInfo{0xE, false, GateKind::Interrupt, 4, "32-bit interrupt gate"},
    GateTypeInfo{0xF, false, GateKind::Trap, 4, "32-bit trap gate"},
    GateTypeInfo{0xE, true, GateKind::Interrupt, 8, "64-bit interrupt gate"},
    GateTypeInfo{0xF, true, GateKind::Trap, 8, "64-bit trap gate"},
};

uint64_t bits(uint64_t value, unsigned low, unsigned count) {
  return (value >> low) & ((uint64_t{1} << count) - 1);
}

} // namespace

SegmentDescriptor decodeSegmentDescriptor(uint64_t raw) {
  SegmentDescriptor d;
  d.base = bits(raw, 16, 24) | (bits(raw, 56, 8) << 24);
  const auto rawLimit = static_cast<uint32_t>(bits(raw, 0, 16) | (bits(raw, 48, 4) << 16));
  d.type = static_cast<uint8_t>(bits(raw, 40, 4));
  d.system = bits(raw, 44, 1) == 0;
  d.dpl = static_cast<uint8_t>(bits(raw, 45, 2));
  d.present = bits(raw, 47, 1) != 0;
  d.longMode = bits(raw, 53, 1) != 0;
  d.defaultBig = bits(raw, 54, 1) != 0;
  d.granular = bits(raw, 55, 1) != 0;
  d.limit = d.granular ? (rawLimit << 12) | 0xFFFu : rawLimit;
  return d;
}

const GateTypeInfo *findGateType(uint8_t type, bool ia32e) {
  for (const auto &info : kGateTypes)
    if (info.type == type && info.ia32e == ia32e)
      return &info;
  return nullptr;
}

GateDescriptor decodeGate(uint64_t low, uint64_t high) {
  GateDescriptor g;
  g.offset = bits(low, 0, 16) | (bits(low, 48, 16) << 16) | (bits(high, 0, 32) << 32);
  g.selector = static_cast<uint16_t>(bits(low, 16, 16));
  g.ist = static_cast<uint8_t>(bits(low, 32, 3));
  g.type = static_cast<uint8_t>(bits(low, 40, 4));
  g.system = bits(low, 44, 1) == 0;
  g.dpl = static_cast<uint8_t>(bits(low, 45, 2));
  g.present = bits(low, 47, 1) != 0;
  return g;
}

bool segmentCovers(const SegmentDescriptor &segment, uint32_t offset, uint32_t size) {
  const uint64_t last = uint64_t{offset} + size - 1;
  if (segment.isExpandDown()) {
    // Valid offsets are limit+1 … 0xFFFF or 0xFFFFFFFF, depending on B (SDM §3.4.5.1).
    const uint64_t top = segment.defaultBig ? 0xFFFFFFFFull : 0xFFFFull;
    return offset > segment.limit && last <= top;
  }
  return last <= segment.limit;
}

} // namespace ringside
