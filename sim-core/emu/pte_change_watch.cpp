#include "emu/pte_change_watch.h"

namespace ringside::emu {
namespace {

constexpr uint64_t kPage = 4096;
// Accessed and Dirty: the CPU sets them itself, so they do not make a rewrite.
constexpr uint64_t kAccessedDirty = (1u << 5) | (1u << 6);

uint64_t pageOf(uint64_t a) { return a & ~(kPage - 1); }

uint64_t leafOf(const WalkEvent &w) { return w.stepCount ? w.steps[w.stepCount - 1].entry : 0; }

} // namespace

void PteChangeWatch::observe(EventBody &event) {
  if (auto *w = std::get_if<WalkEvent>(&event)) {
    if (w->purpose == WalkPurpose::GuestTables && w->ok)
      leaves_[pageOf(w->gva)] = leafOf(*w);
  } else if (auto *t = std::get_if<TlbEvent>(&event)) {
    if (pending_ && t->op == TlbOp::FlushPage && t->cause == TlbCause::Invlpg &&
        pageOf(t->va) == pendingPage_) {
      t->pteChanged = changed_;
      pending_ = false;
    }
  }
}

void PteChangeWatch::beforeInvlpg(uint64_t va, const PagingState &guest, PhysicalMemory &memory) {
  pending_ = true;
  pendingPage_ = pageOf(va);
  changed_ = false;
  auto it = leaves_.find(pendingPage_);
  if (it == leaves_.end())
    return; // never walked (or forgotten): nothing cached that the guest could have changed
  // A side-effect-free walk: the guest's tables as they are now.
  Translation now = translate(guest, memory, va, Access{false, false, false}, false);
  changed_ = !now.ok || ((leafOf(now.event) ^ it->second) & ~kAccessedDirty) != 0;
  leaves_.erase(it); // the next walk of the page remembers the new entry
}

bool PteChangeWatch::takeVerdict(uint64_t va) {
  if (!pending_ || pageOf(va) != pendingPage_)
    return false;
  pending_ = false;
  return changed_;
}

} // namespace ringside::emu
