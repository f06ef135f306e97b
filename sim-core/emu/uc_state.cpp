#include "emu/uc_state.h"

#include <cstring>
#include <mutex>
#include <vector>

namespace ringside::emu {
namespace {

// QEMU's hflags bits (target/i386/cpu.h).
constexpr uint32_t kHfCplMask = 3u, kHfInhibitIrq = 1u << 3;
constexpr uint32_t kHfCs32 = 1u << 4, kHfSs32 = 1u << 5, kHfAddSeg = 1u << 6;
constexpr uint32_t kHfLma = 1u << 14, kHfCs64 = 1u << 15;
constexpr uint32_t kDescB = 1u << 22, kDescL = 1u << 21;
constexpr long kSegSize = 24; // selector(4) pad(4) base(8) limit(4) flags(4)

struct Snapshot {
  std::vector<char> bytes;
};

Snapshot save(uc_engine *uc) {
  uc_context *ctx = nullptr;
  uc_context_alloc(uc, &ctx);
  uc_context_save(uc, ctx);
  Snapshot snap;
  snap.bytes.assign(reinterpret_cast<char *>(ctx),
                    reinterpret_cast<char *>(ctx) + uc_context_size(uc));
  uc_context_free(ctx);
  return snap;
}

int32_t at(const Snapshot &s, size_t off) {
  int32_t v;
  std::memcpy(&v, s.bytes.data() + off, 4);
  return v;
}

void stopHook(uc_engine *uc, uint32_t, void *) { uc_emu_stop(uc); }

// Runs `code` at 0x1000 in a fresh 64-bit engine holding a real-mode context until the first
// exception, returning the contexts before and after.
bool runFault(const std::vector<uint8_t> &code, Snapshot &before, Snapshot &after,
              const uc_context *realMode) {
  uc_engine *uc = nullptr;
  if (uc_open(UC_ARCH_X86, UC_MODE_64, &uc) != UC_ERR_OK)
    return false;
  uc_context_restore(uc, const_cast<uc_context *>(realMode));
  uc_mem_map(uc, 0, 0x10000, UC_PROT_ALL);
  uc_mem_write(uc, 0x1000, code.data(), code.size());
  uc_hook hook;
  uc_hook_add(uc, &hook, UC_HOOK_INTR, reinterpret_cast<void *>(stopHook), nullptr, 1, 0);
  before = save(uc);
  uc_emu_start(uc, 0x1000, 0x1000 + code.size(), 0, 0);
  after = save(uc);
  uc_close(uc);
  return true;
}

// Offsets where `before` holds `was` and `after` holds `now` (4-byte aligned).
std::vector<long> changed(const Snapshot &before, const Snapshot &after, int32_t was, int32_t now) {
  std::vector<long> hits;
  for (size_t off = 0; off + 4 <= before.bytes.size() && off + 4 <= after.bytes.size(); off += 4)
    if (at(before, off) == was && at(after, off) == now)
      hits.push_back(static_cast<long>(off));
  return hits;
}

UcStateOffsets calibrate() {
  UcStateOffsets o;
  uc_engine *u16 = nullptr;
  if (uc_open(UC_ARCH_X86, UC_MODE_16, &u16) != UC_ERR_OK) {
    o.failure = "cannot open a 16-bit Unicorn engine";
    return o;
  }
  uc_context *real = nullptr;
  uc_context_alloc(u16, &real);
  uc_context_save(u16, real);
  uc_close(u16);

  // Segment caches: real-mode loads of distinctive selectors (FS also gets base = selector*16).
  {
    uc_engine *uc = nullptr;
    uc_open(UC_ARCH_X86, UC_MODE_64, &uc);
    uc_context_restore(uc, real);
    uint64_t es = 0x1234, fs = 0x5678;
    uc_reg_write(uc, UC_X86_REG_ES, &es);
    uc_reg_write(uc, UC_X86_REG_FS, &fs);
    Snapshot s = save(uc);
    uc_close(uc);
    std::vector<long> hits;
    for (size_t off = 0; off + 4 * kSegSize + 16 <= s.bytes.size(); off += 4) {
      uint64_t fsBase;
      std::memcpy(&fsBase, s.bytes.data() + off + 4 * kSegSize + 8, 8);
      if (at(s, off) == 0x1234 && at(s, off + 4 * kSegSize) == 0x5678 && fsBase == 0x56780)
        hits.push_back(static_cast<long>(off));
    }
    if (hits.size() != 1) {
      o.failure = "segment caches not found in the Unicorn context";
      uc_context_free(real);
      return o;
    }
    o.segs = hits[0];
    o.hflags = o.segs - 8; // hflags, hflags2, then segs[] in CPUX86State
  }

  // #DE (xor cx,cx; div cx) and #GP (PE on, then mov ds with a selector past the GDT limit): the
  // latch goes from -1 to the vector; the error code of the #GP is the selector with RPL cleared.
  Snapshot b1, a1, b2, a2, b3, a3;
  runFault({0x31, 0xC9, 0xF7, 0xF1}, b1, a1, real);
  runFault({0x66, 0xB8, 1, 0, 0, 0, 0x0F, 0x22, 0xC0, 0xB8, 0x77, 0x77, 0x8E, 0xD8}, b2, a2, real);
  runFault({0x66, 0xB8, 1, 0, 0, 0, 0x0F, 0x22, 0xC0, 0xB8, 0x55, 0x55, 0x8E, 0xD8}, b3, a3, real);
  uc_context_free(real);
  auto latchDe = changed(b1, a1, -1, 0), latchGp = changed(b2, a2, -1, 13);
  for (long off : latchDe)
    for (long off2 : latchGp)
      if (off == off2)
        o.oldException = off;
  auto err1 = changed(b2, a2, 0, 0x7774), err2 = changed(b3, a3, 0, 0x5554);
  for (long off : err1)
    for (long off2 : err2)
      if (off == off2)
        o.errorCode = off;
  if (o.oldException < 0)
    o.failure = "the #DF latch (old_exception) was not found in the Unicorn context";
  else if (o.errorCode < 0)
    o.failure = "the exception error code was not found in the Unicorn context";
  return o;
}

} // namespace

const UcStateOffsets &ucStateOffsets() {
  static std::once_flag once;
  static UcStateOffsets offsets;
  std::call_once(once, [] { offsets = calibrate(); });
  return offsets;
}

UcStateEditor::UcStateEditor(uc_engine *uc) : uc_(uc) {
  uc_context_alloc(uc_, &context_);
  uc_context_save(uc_, context_);
}

UcStateEditor::~UcStateEditor() { uc_context_free(context_); }

uint32_t UcStateEditor::read32(long offset) const {
  uint32_t v = 0;
  if (offset >= 0)
    std::memcpy(&v, reinterpret_cast<char *>(context_) + offset, 4);
  return v;
}

void UcStateEditor::write32(long offset, uint32_t value) {
  if (offset >= 0)
    std::memcpy(reinterpret_cast<char *>(context_) + offset, &value, 4);
}

void UcStateEditor::clearExceptionLatch() { write32(ucStateOffsets().oldException, 0xFFFFFFFFu); }

uint32_t UcStateEditor::errorCode() const { return read32(ucStateOffsets().errorCode); }

uint8_t UcStateEditor::cpl() const { return read32(ucStateOffsets().hflags) & kHfCplMask; }

bool UcStateEditor::interruptShadow() const {
  return read32(ucStateOffsets().hflags) & kHfInhibitIrq;
}

void UcStateEditor::clearInterruptShadow() {
  write32(ucStateOffsets().hflags, read32(ucStateOffsets().hflags) & ~kHfInhibitIrq);
}

SegmentCache UcStateEditor::segment(SegIndex seg) const {
  const char *p = reinterpret_cast<const char *>(context_) + ucStateOffsets().segs +
                  kSegSize * static_cast<int>(seg);
  SegmentCache cache;
  uint32_t selector;
  std::memcpy(&selector, p, 4);
  cache.selector = static_cast<uint16_t>(selector);
  std::memcpy(&cache.base, p + 8, 8);
  std::memcpy(&cache.limit, p + 16, 4);
  std::memcpy(&cache.flags, p + 20, 4);
  return cache;
}

void UcStateEditor::loadSegment(SegIndex seg, const SegmentCache &cache) {
  const auto &o = ucStateOffsets();
  char *p = reinterpret_cast<char *>(context_) + o.segs + kSegSize * static_cast<int>(seg);
  uint32_t selector = cache.selector;
  std::memcpy(p, &selector, 4);
  std::memcpy(p + 8, &cache.base, 8);
  std::memcpy(p + 16, &cache.limit, 4);
  std::memcpy(p + 20, &cache.flags, 4);
  uint32_t hflags = read32(o.hflags);
  if (seg == SegIndex::Cs) {
    hflags &= ~(kHfCs32 | kHfCs64);
    if ((hflags & kHfLma) && (cache.flags & kDescL))
      hflags |= kHfCs32 | kHfSs32 | kHfCs64;
    else if (cache.flags & kDescB)
      hflags |= kHfCs32;
  } else if (seg == SegIndex::Ss) {
    hflags = (hflags & ~kHfCplMask) | ((cache.flags >> 13) & 3);
    if (!(hflags & kHfCs64))
      hflags = (hflags & ~kHfSs32) | ((cache.flags & kDescB) ? kHfSs32 : 0);
  }
  // Segment bases are added explicitly when ADDSEG is set: always correct, slightly slower.
  if (!(hflags & kHfCs64))
    hflags |= kHfAddSeg;
  write32(o.hflags, hflags);
}

void UcStateEditor::commit() { uc_context_restore(uc_, context_); }

void clearExceptionLatch(uc_engine *uc) {
  if (ucStateOffsets().oldException < 0)
    return;
  UcStateEditor editor(uc);
  editor.clearExceptionLatch();
  editor.commit();
}

bool disarmExceptionLatch(uc_engine *uc) {
  if (ucStateOffsets().oldException < 0)
    return false;
  UcStateEditor editor(uc);
  if (editor.exceptionLatch() == -1)
    return false;
  editor.clearExceptionLatch();
  editor.commit();
  return true;
}

} // namespace ringside::emu
