#include "kvm_entry_state.h"

#include "platform/firmware_tables.h"
#include "platform/layout.h"

namespace ringside::kvm {
namespace {

constexpr uint64_t kCr0Pe = 1ull << 0, kCr0Pg = 1ull << 31;
constexpr uint64_t kCr4Pae = 1ull << 5;
constexpr uint64_t kEferLme = 1ull << 8, kEferLma = 1ull << 10;

kvm_segment platformSegment(uint16_t selector) {
  for (const auto &e : platformGdt())
    if (e.selector == (selector & ~3u))
      return segmentFromDescriptor(selector, e.descriptor);
  return kvm_segment{};
}

// A real-mode segment: base = selector × 16, 64 KiB limit.
kvm_segment realSegment(kvm_segment seg, uint16_t selector, uint8_t type) {
  seg.selector = selector;
  seg.base = uint64_t(selector) << 4;
  seg.limit = 0xFFFF;
  seg.type = type;
  seg.present = 1;
  seg.s = 1;
  seg.dpl = 0;
  seg.db = seg.l = seg.g = 0;
  seg.unusable = 0;
  return seg;
}

} // namespace

kvm_segment segmentFromDescriptor(uint16_t selector, uint64_t d) {
  kvm_segment s{};
  s.selector = selector;
  s.base = ((d >> 16) & 0xFFFFFF) | (((d >> 56) & 0xFF) << 24);
  uint32_t limit = static_cast<uint32_t>((d & 0xFFFF) | (((d >> 48) & 0xF) << 16));
  s.g = (d >> 55) & 1;
  s.limit = s.g ? (limit << 12) | 0xFFF : limit;
  s.type = ((d >> 40) & 0xF) | 1; // loaded segments are marked accessed
  s.s = (d >> 44) & 1;
  s.dpl = (d >> 45) & 3;
  s.present = (d >> 47) & 1;
  s.avl = (d >> 52) & 1;
  s.l = (d >> 53) & 1;
  s.db = (d >> 54) & 1;
  return s;
}

void setEntryState(KvmVm &vm, EntryMode mode, uint64_t entry) {
  // Start from KVM's reset state (CR0 = 0x60000010 …) so untouched fields stay architectural,
  // the same values the emu backend's CPU starts from.
  kvm_sregs s = vm.getSregs();
  if (mode == EntryMode::Real) {
    s.cs = realSegment(s.cs, 0, 0xB);
    s.ds = s.es = s.fs = s.gs = s.ss = realSegment(s.ds, 0, 0x3);
  } else {
    s.gdt.base = layout::kPlatformGdt;
    s.gdt.limit = static_cast<uint16_t>(8 * platformGdt().size() - 1);
    s.ds = s.es = s.fs = s.gs = s.ss = platformSegment(layout::kData32Selector);
    s.cr0 |= kCr0Pe;
    if (mode == EntryMode::Protected) {
      s.cs = platformSegment(layout::kCode32Selector);
    } else {
      s.cs = platformSegment(layout::kCode64Selector);
      s.cr3 = layout::kPlatformPml4;
      s.cr4 |= kCr4Pae;
      s.efer |= kEferLme | kEferLma;
      s.cr0 |= kCr0Pg;
    }
  }
  vm.setSregs(s);
  kvm_regs r{};
  r.rip = entry;
  r.rsp = layout::kPlatformStackTop;
  r.rflags = 0x2; // interrupts off; bit 1 is always set
  vm.setRegs(r);
}

} // namespace ringside::kvm
