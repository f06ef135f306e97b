#pragma once
// fuzz_page_walker: bytes → a paging state, an access, a VA and page-table memory → translate().
// Memory below a fuzzed RAM limit is backed by the input folded over itself, so whatever CR3 and
// the entries point at lands in fuzzed bytes. Invariants: a success lies within its page; a
// fault's error code agrees with the access and with the last entry read; a failed walk writes
// nothing; the same walk without A/D updates gives the same answer.
#include "fuzz_input.h"
#include "mmu/page_walker.h"

#include <array>

namespace ringside::fuzz {

class FoldedMemory : public PhysicalMemory {
public:
  FoldedMemory(std::vector<uint8_t> bytes, uint64_t ramLimit)
      : bytes_(std::move(bytes)), ramLimit_(ramLimit) {}

  bool read(uint64_t pa, void *dst, size_t n) const override {
    if (!backed(pa, n))
      return false;
    auto *out = static_cast<uint8_t *>(dst);
    for (size_t i = 0; i < n; ++i)
      out[i] = bytes_[(pa + i) % bytes_.size()];
    return true;
  }
  bool write(uint64_t pa, const void *src, size_t n) override {
    ++writes_;
    if (!backed(pa, n))
      return false;
    const auto *in = static_cast<const uint8_t *>(src);
    for (size_t i = 0; i < n; ++i)
      bytes_[(pa + i) % bytes_.size()] = in[i];
    return true;
  }
  unsigned writes() const { return writes_; }

private:
  bool backed(uint64_t pa, size_t n) const {
    return !bytes_.empty() && pa < ramLimit_ && n <= ramLimit_ - pa;
  }

  std::vector<uint8_t> bytes_;
  uint64_t ramLimit_;
  unsigned writes_ = 0;
};

inline void checkTranslation(const Translation &t, PagingMode mode, const Access &access,
                             uint64_t va) {
  const WalkEvent &event = t.event;
  check(event.stepCount <= event.steps.size(), "more steps than a walk can hold");
  check(event.ok == t.ok, "event.ok differs from the translation");
  if (t.ok) {
    const uint64_t size = t.pageSize;
    const bool sizeFits =
        size == 4096 ||
        (size == 2u << 20 && (mode == PagingMode::Pae || mode == PagingMode::Long4)) ||
        (size == 4u << 20 && mode == PagingMode::Bits32) ||
        (size == 1u << 30 && mode == PagingMode::Long4);
    check(sizeFits, "page size " + std::to_string(size) + " impossible in this mode");
    check((t.pageBase & (size - 1)) == 0, "page base not aligned to its size");
    check(t.pa >= t.pageBase && t.pa - t.pageBase < size, "pa outside its page");
    check(((t.pa ^ va) & (size - 1)) == 0, "page offset of pa differs from va's");
    check(event.gpa == t.pa && event.pageSize == size, "event disagrees with the translation");
    check(!access.user || t.user, "user access allowed on a supervisor page");
    check(!(access.user && access.write) || t.writable, "user write allowed on a read-only page");
    check(!access.fetch || t.executable, "fetch allowed from an execute-disabled page");
    return;
  }
  check(mode != PagingMode::None, "a fault with paging off");
  check(event.stepCount > 0, "a fault without reading any entry");
  const uint32_t code = t.errorCode;
  check(event.faultCode == code, "event fault code differs from the translation");
  check(((code & pf::Write) != 0) == access.write, "error code W differs from the access");
  check(((code & pf::User) != 0) == access.user, "error code U/S differs from the access");
  check(!(code & pf::Fetch) || access.fetch, "error code I/D set for a data access");
  check(!(code & pf::Reserved) || (code & pf::Present), "RSVD without P");
  const bool lastPresent = (event.steps[event.stepCount - 1].entry & 1) != 0;
  check(((code & pf::Present) != 0) == lastPresent,
        "error code P differs from the present bit of the last entry read");
}

inline int fuzzPageWalker(const uint8_t *data, size_t size) {
  FuzzInput in(data, size);
  const auto flags = in.take<uint8_t>();
  const auto more = in.take<uint8_t>();
  PagingState state;
  const unsigned modeBits = flags & 3;
  if (modeBits != 0)
    state.cr0 = 0x80000001; // PG | PE
  if (flags & 0x10)
    state.cr0 |= 1u << 16; // WP
  if (modeBits >= 2)
    state.cr4 |= 1u << 5; // PAE
  if (flags & 0x04)
    state.cr4 |= 1u << 4; // PSE
  if (modeBits == 3)
    state.efer |= (1u << 8) | (1u << 10); // LME | LMA
  if (flags & 0x08)
    state.efer |= 1u << 11; // NXE
  state.cr3 = in.take<uint64_t>();
  const auto va = in.take<uint64_t>();
  const Access access{(flags & 0x20) != 0, (flags & 0x40) != 0, (flags & 0x80) != 0};
  const bool updateAd = (more & 1) != 0;
  const uint64_t ramLimit = uint64_t{1} << (20 + (more >> 1) % 24); // 1 MiB .. 8 TiB

  FoldedMemory memory(in.rest(), ramLimit);
  const PagingMode mode = pagingMode(state);
  const Translation peek = translate(state, memory, va, access, false);
  check(memory.writes() == 0, "a walk without A/D updates wrote memory");
  checkTranslation(peek, mode, access, va);

  const Translation t = translate(state, memory, va, access, updateAd);
  checkTranslation(t, mode, access, va);
  check(t.ok == peek.ok && t.pa == peek.pa && t.errorCode == peek.errorCode,
        "the walk changed its answer when it updates A/D bits");
  if (!t.ok)
    check(memory.writes() == 0, "a failed walk wrote A/D bits");
  return 0;
}

} // namespace ringside::fuzz
