#include "mmu/tlb.h"

#include <algorithm>

namespace ringside {

namespace {
bool covers(const TlbEntry &e, uint64_t va) { return (va & ~(e.pageSize - 1)) == e.vaBase; }
} // namespace

Tlb::Tlb(TlbConfig config, Recorder record) : config_(config), record_(std::move(record)) {
  if (config_.entries == 0)
    config_.entries = 1;
  entries_.reserve(config_.entries);
}

std::optional<TlbEntry> Tlb::lookup(uint64_t va, uint16_t vpid, uint64_t eptp) {
  for (TlbEntry &e : entries_) {
    if (e.vpid == vpid && e.eptp == eptp && covers(e, va)) {
      e.lastUse = ++clock_;
      ++counters_.hits;
      emit(TlbEvent{TlbOp::Hit, va, e.paBase | (va & (e.pageSize - 1)), e.pageSize, vpid});
      return e;
    }
  }
  ++counters_.misses;
  emit(TlbEvent{TlbOp::Miss, va, 0, 0, vpid});
  return std::nullopt;
}

void Tlb::fill(TlbEntry entry) {
  entry.vaBase &= ~(entry.pageSize - 1);
  entry.paBase &= ~(entry.pageSize - 1);
  entry.lastUse = ++clock_;
  // A fill replaces any entry for the same page in the same address space.
  auto same = std::find_if(entries_.begin(), entries_.end(), [&](const TlbEntry &e) {
    return e.vpid == entry.vpid && e.eptp == entry.eptp && covers(e, entry.vaBase);
  });
  if (same != entries_.end()) {
    *same = entry;
  } else if (entries_.size() < config_.entries) {
    entries_.push_back(entry);
  } else {
    auto lru = std::min_element(
        entries_.begin(), entries_.end(),
        [](const TlbEntry &a, const TlbEntry &b) { return a.lastUse < b.lastUse; });
    *lru = entry;
    ++counters_.evictions;
  }
  ++counters_.fills;
  emit(TlbEvent{TlbOp::Fill, entry.vaBase, entry.paBase, entry.pageSize, entry.vpid});
}

template <typename Pred>
void Tlb::flushIf(Pred pred, TlbOp op, TlbCause cause, uint64_t va, uint16_t vpid) {
  const auto before = entries_.size();
  entries_.erase(std::remove_if(entries_.begin(), entries_.end(), pred), entries_.end());
  counters_.entriesFlushed += before - entries_.size();
  ++counters_.flushes;
  emit(TlbEvent{op, va, 0, 0, vpid, cause});
}

void Tlb::movCr3(uint16_t vpid) {
  // Global pages are not modelled, so MOV CR3 drops every entry of the address space.
  flushIf([vpid](const TlbEntry &e) { return e.vpid == vpid; }, TlbOp::FlushVpid, TlbCause::MovCr3,
          0, vpid);
}

void Tlb::flushVpid(uint16_t vpid, TlbCause cause) {
  flushIf([vpid](const TlbEntry &e) { return e.vpid == vpid; }, TlbOp::FlushVpid, cause, 0, vpid);
}

void Tlb::invlpg(uint64_t va, uint16_t vpid) {
  flushIf([=](const TlbEntry &e) { return e.vpid == vpid && covers(e, va); }, TlbOp::FlushPage,
          TlbCause::Invlpg, va, vpid);
}

void Tlb::vmTransition() {
  if (config_.vpidEnabled)
    return; // tagged entries stay: that is what VPIDs are for
  flushIf([](const TlbEntry &) { return true; }, TlbOp::FlushAll, TlbCause::VmTransition, 0, 0);
}

void Tlb::invept(uint32_t type, uint64_t eptp) {
  if (type == 1)
    flushIf([eptp](const TlbEntry &e) { return e.eptp == eptp; }, TlbOp::FlushAll, TlbCause::Invept,
            0, 0);
  else
    flushIf([](const TlbEntry &e) { return e.eptp != 0; }, TlbOp::FlushAll, TlbCause::Invept, 0, 0);
}

void Tlb::invvpid(uint32_t type, uint16_t vpid, uint64_t va) {
  switch (type) {
  case 0:
    flushIf([=](const TlbEntry &e) { return e.vpid == vpid && covers(e, va); }, TlbOp::FlushPage,
            TlbCause::Invvpid, va, vpid);
    break;
  case 2:
    flushIf([](const TlbEntry &e) { return e.vpid != 0; }, TlbOp::FlushAll, TlbCause::Invvpid, 0,
            0);
    break;
  default: // 1 single-context, 3 single-context retaining globals (no globals modelled)
    flushIf([vpid](const TlbEntry &e) { return e.vpid == vpid; }, TlbOp::FlushVpid,
            TlbCause::Invvpid, 0, vpid);
  }
}

void Tlb::apply(const TlbFlush &flush) {
  if (flush.ept)
    invept(flush.type, flush.eptp);
  else
    invvpid(flush.type, flush.vpid, flush.linear);
}

} // namespace ringside
