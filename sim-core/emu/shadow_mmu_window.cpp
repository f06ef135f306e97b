// Native mode's RAM windows. Each `uc_mem_map_ptr` in Unicorn 2.0.1 costs more the more regions
// exist (1024 separate 4 KiB regions took about 3.5 s), so a 4 KiB page the guest's walker
// translates is mapped as a window: a region as large as the 2 MiB around it allows at the same
// VA→PA offset (fill()). Only that page gets a shadow entry; the window's other pages fault
// (Unicorn #PF on a not-present entry, where one region per page would have had no region) and
// are walked one by one. The walks and TLB events stay those of one region per page: a window
// page is filled, flushed and replaced on its own, and a page whose translation does not fit
// the window's offset, or that the guest does not map, is carved out into a region of its own.
#include "emu/shadow_mmu.h"
#include "emu/shadow_mmu_bits.h"

namespace ringside::emu {
namespace {

using namespace shadow_bits;

} // namespace

bool ShadowMmu::windowMiss(uint64_t va) {
  auto it = regionAt(va);
  if (model_ || it == regions_.end() || !it->second.window)
    return false;
  const uint64_t *pte = shadowPte(pageOf(va), false);
  return !pte || !(*pte & kPteP);
}

bool ShadowMmu::fillWindowMiss(uint64_t va, Access access, std::string &error) {
  error.clear();
  if (!handleUnmapped(va, access, error))
    return false;
  return regionAt(va)->second.kind != Kind::Absent;
}

// A window page translated: its shadow entry when the translation keeps the window's offset,
// else a region of its own. Records the TLB fill a page's own region would have recorded.
bool ShadowMmu::windowFill(uint64_t va, const Translation &t, bool writeOverride,
                           std::string &error) {
  auto it = regionAt(va);
  if (it->second.pa + (pageOf(va) - it->first) != pageOf(t.pa)) {
    if (!carvePage(va, error))
      return false;
    return fill(va, t, writeOverride, error);
  }
  uint64_t *pte = shadowPte(pageOf(va), true);
  if (!pte) {
    error = "shadow page-table pool exhausted";
    return false;
  }
  *pte = (pageOf(va) & kFrameMask) | shadowFlags(t, writeOverride);
  record_(TlbEvent{TlbOp::Fill, pageOf(va), pageOf(t.pa), kPage});
  return true;
}

// Takes va's page out of its window: the window is unmapped and mapped again around the page,
// the other pages keeping their shadow entries; the page is left with neither region nor entry.
bool ShadowMmu::carvePage(uint64_t va, std::string &error) {
  auto it = regionAt(va);
  const uint64_t lo = it->first, hi = lo + it->second.size, pa = it->second.pa;
  const uint64_t page = pageOf(va);
  uc_mem_unmap(uc_, lo, hi - lo); // also flushes Unicorn's TLB
  regions_.erase(it);
  if (uint64_t *pte = shadowPte(page, false))
    *pte = 0;
  for (auto [start, end] : {std::pair{lo, page}, std::pair{page + kPage, hi}}) {
    if (start == end)
      continue;
    if (!mapRegion(start, end - start, Kind::Ram, pa + (start - lo), error))
      return false;
    regions_.at(start).window = true;
  }
  return true;
}

} // namespace ringside::emu
