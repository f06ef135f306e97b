#pragma once
// Decoding of segment descriptors, IDT gates and the TSS fields interrupt delivery reads
// (Intel SDM vol. 3 §3.4.5, §6.11, §6.14.1, §7.2.1, §8.7). Pure bit layout, no policy.
#include <cstdint>
#include <optional>

namespace ringside {

/// A code/data or system segment descriptor (8 bytes), limit already scaled by G.
struct SegmentDescriptor {
  uint64_t base = 0;
  uint32_t limit = 0;  ///< highest valid offset in bytes (after granularity scaling)
  uint8_t type = 0;    ///< the 4-bit type field
  bool system = false; ///< S = 0
  uint8_t dpl = 0;
  bool present = false;
  bool longMode = false;   ///< L: 64-bit code segment
  bool defaultBig = false; ///< D/B: 32-bit default operand size or stack pointer
  bool granular = false;   ///< G: limit counts 4 KiB pages

  bool isCode() const { return !system && (type & 0x8) != 0; }
  bool isConforming() const { return isCode() && (type & 0x4) != 0; }
  bool isWritableData() const { return !system && (type & 0xA) == 0x2; }
  bool isExpandDown() const { return !system && (type & 0xC) == 0x4; }
  bool is64BitCode() const { return isCode() && longMode && !defaultBig; }
};

SegmentDescriptor decodeSegmentDescriptor(uint64_t raw);

enum class GateKind : uint8_t { Task, Interrupt, Trap };

/// What a gate type means in one paging mode: IA-32e redefines 0xE/0xF and drops the others.
struct GateTypeInfo {
  uint8_t type = 0;
  bool ia32e = false; ///< the row is for IA-32e mode (16-byte gates)
  GateKind kind = GateKind::Interrupt;
  uint8_t pushWidth = 4; ///< bytes per pushed value: 2, 4 or 8
  const char *name = "";
};

/// The gate type in the IDT for this mode, or nullptr when the type is not a valid IDT gate.
const GateTypeInfo *findGateType(uint8_t type, bool ia32e);

/// An IDT gate. For legacy (8-byte) gates `high` is 0 and the offset is 32 bits.
struct GateDescriptor {
  uint16_t selector = 0;
  uint64_t offset = 0;
  uint8_t type = 0;   ///< the raw 4-bit type field
  bool system = true; ///< S = 0, as every gate must have
  uint8_t dpl = 0;
  bool present = false;
  uint8_t ist = 0; ///< IA-32e only: interrupt stack table index 0–7
};

GateDescriptor decodeGate(uint64_t low, uint64_t high);

/// Error code formats (SDM §6.13): selector-based and IDT-based, with the EXT bit.
constexpr uint32_t selectorErrorCode(uint16_t selector, bool ext) {
  return (selector & 0xFFFCu) | (ext ? 1u : 0u);
}
constexpr uint32_t idtErrorCode(uint8_t vector, bool ext) {
  return uint32_t{vector} * 8u + 2u + (ext ? 1u : 0u);
}
constexpr bool isNullSelector(uint16_t selector) { return (selector & 0xFFFCu) == 0; }
constexpr bool selectorInLdt(uint16_t selector) { return (selector & 0x4u) != 0; }

/// Byte offsets of stack pointers in the 32-bit and 64-bit TSS (SDM figures 8-2 and 8-11).
constexpr uint32_t tss32EspOffset(uint8_t cpl) { return 4u + 8u * cpl; } // SSn is 4 bytes on
constexpr uint32_t tss64RspOffset(uint8_t cpl) { return 4u + 8u * cpl; }
constexpr uint32_t tss64IstOffset(uint8_t ist) { return 0x24u + 8u * (ist - 1u); }

/// 48-bit canonical form (4-level paging; LA57 is not modelled).
constexpr bool isCanonical(uint64_t address) {
  const auto high = static_cast<int64_t>(address) >> 47;
  return high == 0 || high == -1;
}

/// Does [offset, offset+size) lie inside the segment (expand-up or expand-down)? `offset`
/// must already be wrapped to the segment's pointer width.
bool segmentCovers(const SegmentDescriptor &segment, uint32_t offset, uint32_t size);

} // namespace ringside
