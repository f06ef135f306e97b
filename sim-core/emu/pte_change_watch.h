#pragma once
// What `ringside compare` counts as a `ptemod` (docs/cost-model.md): the guest rewrote the
// page-table entry of a page it had been using and announced it with INVLPG. The watch keeps
// the leaf entry each walk of the guest's own tables read, by page; at INVLPG it compares that
// entry with the one the guest's tables hold now. It reads only the walk events the MMU
// records anyway, so it costs nothing per guest store, under every --mmu and --virt.
#include "mmu/page_walker.h"
#include "trace/events.h"

#include <cstdint>
#include <unordered_map>

namespace ringside::emu {

class PteChangeWatch {
public:
  /// Every event the MMU records passes here: walks of the guest's tables are remembered, and
  /// the flush-page of an INVLPG announced by `beforeInvlpg` gets its `pteChanged`.
  void observe(EventBody &event);
  /// Call before the MMU handles INVLPG `va`: decides whether the page's entry changed.
  void beforeInvlpg(uint64_t va, const PagingState &guest, PhysicalMemory &memory);
  /// The verdict for a flush-page the MMU records itself (no model): consumed once.
  bool takeVerdict(uint64_t va);
  /// A new address space or paging mode: entries remembered from the old one mean nothing.
  void forget() { leaves_.clear(); }

private:
  std::unordered_map<uint64_t, uint64_t> leaves_; ///< 4 KiB page → leaf entry its walk read
  bool pending_ = false;
  uint64_t pendingPage_ = 0;
  bool changed_ = false;
};

} // namespace ringside::emu
