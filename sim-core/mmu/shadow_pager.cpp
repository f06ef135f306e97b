#include "mmu/shadow_pager.h"

#include "mmu/paging_bits.h"

#include <algorithm>

namespace ringside {

using namespace paging;

namespace {

constexpr uint64_t kPageMask = ~uint64_t{0xFFF};
uint64_t pageOf(uint64_t a) { return a & kPageMask; }

/// The processor's paging registers while it runs the guest on shadow tables.
PagingState shadowRegisters(uint64_t root) {
  PagingState s;
  s.cr0 = kCr0Pg | kCr0Wp | 1; // PE
  s.cr3 = root;
  s.cr4 = kCr4Pae;
  s.efer = kEferLma | kEferNxe | bit(8); // LME
  return s;
}

unsigned entryBytes(const WalkEvent &e) { return e.mode == WalkMode::Bits32 ? 4 : 8; }

} // namespace

ShadowPager::ShadowPager(HostMemory &host, GuestRamMap ram, PageAllocator &shadowPages,
                         ShadowConfig config, Recorder record)
    : host_(host), ram_(ram), guestMemory_(host, ram), pages_(shadowPages), config_(config),
      record_(std::move(record)) {
  if (config_.maxRoots == 0)
    config_.maxRoots = 1;
}

void ShadowPager::recordWalk(WalkEvent e, WalkPurpose purpose) {
  e.purpose = purpose;
  if (record_)
    record_(e);
}

PagingState ShadowPager::hardwarePaging() const {
  auto it = roots_.find(currentCr3_);
  return shadowRegisters(it == roots_.end() ? 0 : it->second.hpa);
}

bool ShadowPager::writeProtected(uint64_t gpa) const { return protected_.count(pageOf(gpa)) > 0; }

size_t ShadowPager::shadowLeaves() const {
  auto it = roots_.find(currentCr3_);
  return it == roots_.end() ? 0 : it->second.leaves.size();
}

void ShadowPager::setPaging(const PagingState &guest) {
  while (!roots_.empty())
    dropRoot(roots_.begin());
  guest_ = guest;
  currentCr3_ = guest.cr3 & kPageMask;
}

ShadowPager::Root &ShadowPager::current() {
  auto it = roots_.find(currentCr3_);
  if (it == roots_.end()) {
    if (roots_.size() >= config_.maxRoots) {
      auto lru = std::min_element(roots_.begin(), roots_.end(), [](const auto &a, const auto &b) {
        return a.second.lastUse < b.second.lastUse;
      });
      dropRoot(lru);
    }
    Root root;
    root.hpa = pages_.allocate();
    root.tables.push_back(root.hpa);
    ++counters_.tablesAllocated;
    ++counters_.rootsBuilt;
    it = roots_.emplace(currentCr3_, std::move(root)).first;
  }
  it->second.lastUse = ++clock_;
  return it->second;
}

void ShadowPager::dropRoot(std::map<uint64_t, Root>::iterator it) {
  for (const auto &[page, leaf] : it->second.leaves)
    addRefs(leaf, -1);
  for (uint64_t table : it->second.tables)
    pages_.release(table);
  roots_.erase(it);
}

void ShadowPager::movCr3(uint64_t cr3) {
  ++counters_.exits;
  guest_.cr3 = cr3;
  currentCr3_ = cr3 & kPageMask;
  const bool cached = roots_.count(currentCr3_) > 0;
  Root &root = current();
  if (cached)
    ++counters_.rootsReused;
  // Write-protected tables cannot have changed behind the VMM's back; unsynced ones may have.
  std::vector<uint64_t> stale;
  for (const auto &[page, leaf] : root.leaves)
    for (unsigned i = 0; i < leaf.count; ++i)
      if (unsyncedEntry(leaf, i)) {
        stale.push_back(page);
        break;
      }
  for (uint64_t page : stale)
    resyncLeaf(root, page);
}

void ShadowPager::invlpg(uint64_t gva) {
  ++counters_.exits;
  if (!(guest_.cr0 & kCr0Pg))
    return;
  Root &root = current();
  if (root.leaves.count(pageOf(gva)))
    resyncLeaf(root, pageOf(gva));
}

Translation ShadowPager::guestWalk(uint64_t gva, Access a, bool updateAd) {
  ++counters_.guestWalks;
  Translation t = translateLinear(guest_, guestMemory_, gva, a, updateAd);
  recordWalk(t.event, WalkPurpose::GuestTables);
  return t;
}

bool ShadowPager::unsyncedEntry(const Leaf &leaf, unsigned i) const {
  return config_.unsyncLeafTables && i + 1 == leaf.count && leaf.leafLevel == 1;
}

void ShadowPager::protect(uint64_t frame) {
  // A frame that just became a page table loses write access in every shadow that maps it.
  for (auto &[cr3, root] : roots_)
    for (const auto &[page, leaf] : root.leaves)
      if (leaf.frame == frame)
        if (const uint64_t e = shadowEntry(root, page, false); e && (host_.read64(e) & kWritable)) {
          host_.write64(e, host_.read64(e) & ~kWritable);
          ++counters_.writeProtected;
        }
}

void ShadowPager::addRefs(const Leaf &leaf, int delta) {
  for (unsigned i = 0; i < leaf.count; ++i) {
    auto &refs = unsyncedEntry(leaf, i) ? unsynced_ : protected_;
    const uint64_t frame = pageOf(leaf.guestEntries[i]);
    if (delta > 0) {
      if (refs[frame]++ == 0 && &refs == &protected_)
        protect(frame);
    } else if (auto it = refs.find(frame); it != refs.end() && --it->second == 0) {
      refs.erase(it); // shadows that map it read-only regain W at their next fault
    }
  }
}

uint64_t ShadowPager::shadowEntry(Root &root, uint64_t gva, bool create) {
  uint64_t table = root.hpa;
  for (unsigned level = 4;; --level) {
    const unsigned shift = 12 + 9 * (level - 1);
    const uint64_t addr = table + ((gva >> shift) & 0x1FF) * 8;
    if (level == 1)
      return addr;
    uint64_t entry = host_.read64(addr);
    if (!(entry & kPresent)) {
      if (!create)
        return 0;
      const uint64_t page = pages_.allocate();
      root.tables.push_back(page);
      ++counters_.tablesAllocated;
      ++counters_.entriesBuilt;
      entry = page | kPresent | kWritable | kUser; // rights are decided at the leaf
      host_.write64(addr, entry);
    }
    table = entry & kPhysAddrMask;
  }
}

bool ShadowPager::buildLeaf(Root &root, uint64_t gva, const Translation &g) {
  const uint64_t page = pageOf(gva);
  const uint64_t frame = pageOf(g.pa);
  uint64_t hpa = 0;
  if (!ram_.toHost(frame, hpa))
    return false;
  if (root.leaves.count(page))
    zapLeaf(root, page);
  const uint64_t entry = shadowEntry(root, gva, true);

  Leaf leaf;
  const WalkEvent &e = g.event;
  for (unsigned i = 0; i < e.stepCount && i < leaf.guestEntries.size(); ++i)
    leaf.guestEntries[leaf.count++] =
        e.steps[i].tableAddr + uint64_t{e.steps[i].index} * entryBytes(e);
  leaf.leafLevel = e.stepCount ? e.steps[e.stepCount - 1].level : 1;
  leaf.frame = frame;
  addRefs(leaf, +1);

  // W only once the guest's D is set, so the first write exits and the VMM sets D; never for a
  // frame that is itself a shadowed page table.
  const bool writable = g.writable && g.dirty && !protected_.count(frame);
  host_.write64(entry, hpa | kPresent | kAccessed | kDirty | (writable ? kWritable : 0) |
                           (g.user ? kUser : 0) | (g.executable ? 0 : kExecuteDisable));
  ++counters_.entriesBuilt;
  root.leaves[page] = leaf;
  return true;
}

void ShadowPager::zapLeaf(Root &root, uint64_t page) {
  auto it = root.leaves.find(page);
  if (it == root.leaves.end())
    return;
  if (const uint64_t e = shadowEntry(root, page, false))
    host_.write64(e, 0);
  addRefs(it->second, -1);
  root.leaves.erase(it);
  ++counters_.entriesZapped;
}

void ShadowPager::resyncLeaf(Root &root, uint64_t page) {
  ++counters_.resynced;
  // Re-read the guest's tables without setting A/D (the guest did not access the page).
  Translation t = guestWalk(page, Access{}, false);
  if (t.ok && buildLeaf(root, page, t))
    return;
  zapLeaf(root, page);
}

ShadowAccess ShadowPager::access(uint64_t gva, Access a, const void *data, size_t n) {
  ShadowAccess out;
  if (!(guest_.cr0 & kCr0Pg)) { // paging off: the VMM maps guest-physical memory directly
    out.gpa = gva & bitRange(31, 0);
    out.ok = ram_.toHost(out.gpa, out.hpa);
    out.notRam = !out.ok;
    if (out.ok && data && a.write)
      out.ok = host_.write(out.hpa, data, n);
    return out;
  }
  if ((guest_.efer & kEferLma) && !isCanonical48(gva)) {
    out.trueFault = out.generalProtection = true;
    ++counters_.trueFaults;
    return out;
  }
  // At most two tries: a miss is fixed once; anything else is a true fault or emulation.
  for (int attempt = 0; attempt < 2; ++attempt) {
    Root &root = current();
    Translation hw = translate(shadowRegisters(root.hpa), host_, gva, a, false);
    out.shadowWalk = hw.event;
    out.shadowWalk.purpose = WalkPurpose::Shadow;
    recordWalk(hw.event, WalkPurpose::Shadow);
    if (hw.ok) {
      out.ok = true;
      out.hpa = hw.pa;
      auto leaf = root.leaves.find(pageOf(gva));
      out.gpa = leaf == root.leaves.end() ? 0 : leaf->second.frame | (gva & 0xFFF);
      if (data && a.write)
        host_.write(out.hpa, data, n);
      return out;
    }
    // A shadow fault: the #PF exits to the VMM, which consults the guest's own tables.
    ++counters_.exits;
    Translation g = guestWalk(gva, a, true);
    if (!g.ok) {
      ++counters_.trueFaults;
      out.trueFault = true;
      out.errorCode = g.errorCode;
      out.cr2 = g.cr2;
      return out;
    }
    ++counters_.hiddenFaults;
    out.hiddenFault = true;
    out.gpa = g.pa;
    if (a.write && protected_.count(pageOf(g.pa))) {
      // The guest edits one of its page tables: the VMM performs the write and drops every
      // shadow entry derived from the entries it changed.
      ++counters_.emulatedWrites;
      out.emulated = true;
      if (data && !guestMemory_.write(g.pa, data, n))
        return out;
      ram_.toHost(g.pa, out.hpa);
      const uint64_t lo = g.pa, hi = g.pa + std::max<size_t>(n, 1);
      for (auto &[cr3, r] : roots_) {
        std::vector<uint64_t> hit;
        for (const auto &[page, leaf] : r.leaves)
          for (unsigned i = 0; i < leaf.count; ++i)
            if (leaf.guestEntries[i] < hi && leaf.guestEntries[i] + 8 > lo) {
              hit.push_back(page);
              break;
            }
        for (uint64_t page : hit)
          zapLeaf(r, page);
      }
      out.ok = true;
      return out;
    }
    if (!buildLeaf(root, gva, g)) {
      out.notRam = true;
      return out;
    }
  }
  return out; // the rebuilt entry still refused the access: cannot happen, reported as not ok
}

} // namespace ringside
