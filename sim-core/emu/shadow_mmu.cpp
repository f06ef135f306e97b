#include "emu/shadow_mmu.h"
#include "emu/shadow_mmu_bits.h"

#include "platform/layout.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>

namespace ringside::emu {
namespace {

using namespace shadow_bits;
// Unicorn 2.0.1 aborts the process (an assertion in QEMU's phys_section_add) once an address
// space holds 4096 memory sections, and every region mapped is at least one. Pages with no
// memory behind them are refused past this many (a guest sweeping the address space), and
// with paging on the regions are a cache of translations, dropped when there are this many.
constexpr size_t kMaxUnassignedPages = 1024;
constexpr size_t kRegionBudget = 2048;

} // namespace

ShadowMmu::ShadowMmu(uc_engine *uc, GuestRam &ram, MmioBus &bus, Recorder record,
                     MmuOptions options)
    : uc_(uc), ram_(ram), bus_(bus),
      // Every event passes the PTE watch first (pte_change_watch.h), the model's included.
      record_([this, inner = std::move(record)](EventBody b) {
        pteWatch_.observe(b);
        inner(std::move(b));
      }),
      tables_(static_cast<uint64_t *>(std::aligned_alloc(kPage, kShadowSize))),
      absentPage_(static_cast<uint8_t *>(std::aligned_alloc(kPage, kPage))), options_(options) {
  std::memset(absentPage_.get(), 0xFF, kPage);
  std::memset(tables_.get(), 0, kShadowSize); // later resets clear only the pages used
  mapIdentity();
  if (options_.mode != MmuMode::Native)
    createModel();
}

ShadowMmu::~ShadowMmu() = default;

void ShadowMmu::mapIdentity() {
  std::string error;
  uint64_t lowEnd = std::min<uint64_t>(ram_.size(), layout::kVgaBase);
  mapRegion(0, lowEnd, Kind::Ram, 0, error);
  mapRegion(layout::kVgaBase, layout::kVgaSize, Kind::Mmio, layout::kVgaBase, error);
  uint64_t highStart = layout::kVgaBase + layout::kVgaSize;
  if (ram_.size() > highStart)
    mapRegion(highStart, ram_.size() - highStart, Kind::Ram, highStart, error);
}

void ShadowMmu::unmapAll() {
  while (!regions_.empty())
    unmapRegion(regions_.begin());
  unassignedPages_ = 0;
}

bool ShadowMmu::mapRegion(uint64_t va, uint64_t size, Kind kind, uint64_t pa, std::string &error) {
  if (pagingOn_ && va < kShadowBase + kShadowSize && kShadowBase < va + size) {
    error = "the guest maps virtual addresses 0xffc00000-0xffffffff, which the emu backend "
            "reserves for its shadow page tables";
    return false;
  }
  Region region;
  region.size = size;
  region.kind = kind;
  region.pa = pa;
  uc_err err;
  if (kind == Kind::Ram) {
    err = uc_mem_map_ptr(uc_, va, size, UC_PROT_ALL, ram_.data() + pa);
  } else if (kind == Kind::Absent) {
    err = uc_mem_map_ptr(uc_, va, size, UC_PROT_ALL, absentPage_.get());
  } else {
    region.mmioContext = std::make_unique<std::pair<ShadowMmu *, uint64_t>>(this, pa);
    err = uc_mmio_map(uc_, va, size, mmioReadCb, region.mmioContext.get(), mmioWriteCb,
                      region.mmioContext.get());
  }
  if (err != UC_ERR_OK) {
    error =
        std::string("cannot map guest memory at ") + std::to_string(va) + ": " + uc_strerror(err);
    return false;
  }
  regions_.emplace(va, std::move(region));
  return true;
}

void ShadowMmu::unmapRegion(std::map<uint64_t, Region>::iterator it) {
  uc_mem_unmap(uc_, it->first, it->second.size);
  if (pagingOn_)
    clearShadow(it->first, it->second.size);
  regions_.erase(it);
}

std::map<uint64_t, ShadowMmu::Region>::iterator ShadowMmu::regionAt(uint64_t va) {
  auto it = regions_.upper_bound(va);
  if (it == regions_.begin())
    return regions_.end();
  --it;
  return va < it->first + it->second.size ? it : regions_.end();
}

bool ShadowMmu::overlaps(uint64_t va, uint64_t size) const {
  auto it = regions_.lower_bound(va);
  if (it != regions_.end() && it->first < va + size)
    return true;
  if (it == regions_.begin())
    return false;
  --it;
  return it->first + it->second.size > va;
}

uint64_t ShadowMmu::mmioReadCb(uc_engine *, uint64_t offset, unsigned size, void *ctx) {
  auto *c = static_cast<std::pair<ShadowMmu *, uint64_t> *>(ctx);
  return c->first->bus_.mmioRead(c->second + offset, size);
}

void ShadowMmu::mmioWriteCb(uc_engine *, uint64_t offset, unsigned size, uint64_t value,
                            void *ctx) {
  auto *c = static_cast<std::pair<ShadowMmu *, uint64_t> *>(ctx);
  c->first->bus_.mmioWrite(c->second + offset, size, value);
}

void ShadowMmu::resetShadow() {
  // Only the pages handed out since the last reset hold entries (a CR3 load resets the
  // shadow, and clearing all 4 MiB each time made MOV CR3 cost 0.15 ms).
  std::memset(tables_.get(), 0, std::max<size_t>(tablesUsed_, 1) * kPage);
  tablesUsed_ = 1; // page 0 is the root (PML4, or the PDPT in PAE form)
}

uint64_t *ShadowMmu::shadowPte(uint64_t va, bool create) {
  // PAE form: PDPT(2 bits) → PD → PT; 4-level form: PML4 → PDPT → PD → PT.
  int levels = long4_ ? 4 : 3;
  size_t table = 0;
  for (int level = levels; level > 1; --level) {
    unsigned shift = 12 + 9 * (level - 1);
    unsigned index = (va >> shift) & (level == 3 && !long4_ ? 3 : 511);
    uint64_t &entry = tables_[table * 512 + index];
    if (!(entry & kPteP)) {
      if (!create)
        return nullptr;
      if (tablesUsed_ >= kShadowSize / kPage - 1) // the last page is flushUnicornTlb()'s
        return nullptr;
      size_t fresh = tablesUsed_++;
      // PAE PDPTEs may hold only P; other levels grant everything and leave it to the leaf.
      entry =
          (kShadowBase + fresh * kPage) | (level == 3 && !long4_ ? kPteP : kPteP | kPteRw | kPteUs);
    }
    table = ((entry & kFrameMask) - kShadowBase) / kPage;
  }
  return &tables_[table * 512 + ((va >> 12) & 511)];
}

void ShadowMmu::clearShadow(uint64_t va, uint64_t size) {
  for (uint64_t a = va; a < va + size; a += kPage)
    if (uint64_t *pte = shadowPte(a, false))
      *pte = 0;
}

void ShadowMmu::setGuestPaging(const PagingState &guest) {
  pteWatch_.forget();
  // A nested guest under EPT runs on shadow entries even with its paging off (see .h).
  bool on = (guest.cr0 & (1u << 31)) || (nestedEpt_ && (guest.cr0 & 1));
  bool wasOn = pagingOn_;
  guest_ = guest;
  if (!on && !wasOn) {
    if (model_)
      modelSetPaging(guest);
    return;
  }
  unmapAll();
  if (on) {
    if (!wasOn)
      uc_mem_map_ptr(uc_, kShadowBase, kShadowSize, UC_PROT_READ | UC_PROT_WRITE, tables_.get());
    long4_ = guest.efer & (1u << 10 /* LMA */ | 1u << 8 /* LME */);
    resetShadow();
  } else {
    uc_mem_unmap(uc_, kShadowBase, kShadowSize);
  }
  pagingOn_ = on;
  if (!on)
    mapIdentity();
  if (model_)
    modelSetPaging(guest);
  else
    record_(TlbEvent{TlbOp::FlushAll, 0, 0, 0});
}

void ShadowMmu::dropAllRegions() {
  // A capacity eviction, not a guest-visible flush: the next touch of each page walks again
  // (native mode) or refills from the model's TLB.
  unmapAll();
  resetShadow();
  if (!model_)
    record_(TlbEvent{TlbOp::FlushAll, 0, 0, 0, 0, TlbCause::Vmm});
}

void ShadowMmu::flushAll() {
  pteWatch_.forget();
  if (!pagingOn_)
    return;
  unmapAll();
  resetShadow();
  if (model_)
    modelSetPaging(guest_); // a full flush: the VMM drops its translations too
  else
    record_(TlbEvent{TlbOp::FlushAll, 0, 0, 0});
}

void ShadowMmu::flushPage(uint64_t va) {
  if (pagingOn_) {
    pteWatch_.beforeInvlpg(va, guest_, ram_);
    auto it = regionAt(va);
    if (it != regions_.end() && it->second.window && !model_) {
      // A window page: its own entry only, as if it were a region (shadow_mmu_window.cpp).
      if (uint64_t *pte = shadowPte(pageOf(va), false); pte && *pte) {
        *pte = 0;
        flushUnicornTlb();
      }
    } else if (it != regions_.end()) {
      unmapRegion(it);
    }
  }
  if (model_) {
    model_->invlpg(va);
    applyModelFlushes();
  } else {
    TlbEvent flush{TlbOp::FlushPage, pageOf(va), 0, 0};
    flush.pteChanged = pteWatch_.takeVerdict(va);
    record_(flush);
  }
}

// The guest's permissions as a shadow leaf: writable only once the guest's Dirty bit is set
// (or the WP=0 supervisor case), NX only where the guest's EFER makes XD meaningful.
uint64_t ShadowMmu::shadowFlags(const Translation &t, bool writeOverride) const {
  uint64_t flags = kPteP | kPteA | kPteD;
  if ((t.writable && t.dirty) || writeOverride)
    flags |= kPteRw;
  if (t.user)
    flags |= kPteUs;
  if (!t.executable && (guest_.efer & kEferNxe))
    flags |= kPteNx;
  return flags;
}

bool ShadowMmu::fill(uint64_t va, const Translation &t, bool writeOverride, std::string &error,
                     bool window) {
  uint64_t vaBase = va & ~(t.pageSize - 1), paBase = t.pageBase;
  // The physical segment holding pa: low RAM, the VGA window, high RAM, or nothing.
  uint64_t pa = t.pa, segStart, segEnd;
  Kind kind = Kind::Ram;
  uint64_t vgaEnd = layout::kVgaBase + layout::kVgaSize;
  if (ram_.isRam(pageOf(pa), kPage)) {
    segStart = pa < layout::kVgaBase ? 0 : vgaEnd;
    segEnd = pa < layout::kVgaBase ? std::min(ram_.size(), layout::kVgaBase) : ram_.size();
  } else if (pa >= layout::kVgaBase && pa < vgaEnd) {
    segStart = layout::kVgaBase;
    segEnd = vgaEnd;
    kind = Kind::Mmio;
  } else {
    segStart = pageOf(pa);
    segEnd = segStart + kPage;
    kind = Kind::Mmio;
  }
  if (window && kind == Kind::Ram) {
    // The 2 MiB around va at va's VA→PA offset, cut to the RAM segment, to the neighbouring
    // regions and to the shadow tables' range.
    constexpr uint64_t kWindow = 2ull << 20;
    const uint64_t offset = pageOf(va) - pageOf(pa); // VA − PA (mod 2^64)
    uint64_t lo = std::max(va & ~(kWindow - 1), segStart + offset);
    uint64_t hi = std::min((va & ~(kWindow - 1)) + kWindow, segEnd + offset);
    auto next = regions_.upper_bound(va);
    if (next != regions_.end())
      hi = std::min(hi, next->first);
    if (next != regions_.begin()) {
      auto prev = std::prev(next);
      lo = std::max(lo, prev->first + prev->second.size);
    }
    if (pageOf(va) < kShadowBase)
      hi = std::min(hi, kShadowBase);
    if (lo <= pageOf(va) && pageOf(va) < hi && !overlaps(lo, hi - lo)) {
      if (!mapRegion(lo, hi - lo, kind, lo - offset, error))
        return false;
      regions_.at(lo).window = true;
      uint64_t *pte = shadowPte(pageOf(va), true);
      if (!pte) {
        error = "shadow page-table pool exhausted";
        return false;
      }
      *pte = (pageOf(va) & kFrameMask) | shadowFlags(t, writeOverride);
      if (!model_) // the page's fill, as a region of its own would record it
        record_(TlbEvent{TlbOp::Fill, pageOf(va), pageOf(pa), kPage});
      return true;
    }
  }
  uint64_t lo = std::max(paBase, segStart), hi = std::min(paBase + t.pageSize, segEnd);
  uint64_t regionVa = vaBase + (lo - paBase), regionSize = hi - lo, regionPa = lo;
  if (overlaps(regionVa, regionSize)) {
    regionVa = pageOf(va);
    regionSize = kPage;
    regionPa = pageOf(pa);
    if (auto it = regionAt(regionVa); it != regions_.end())
      unmapRegion(it);
    if (overlaps(regionVa, regionSize)) {
      error = "shadow MMU: overlapping regions at " + std::to_string(regionVa);
      return false;
    }
  }
  if (kind == Kind::Mmio && regionSize == kPage && segEnd - segStart == kPage &&
      ++unassignedPages_ > kMaxUnassignedPages) {
    error = "the guest touched more than " + std::to_string(kMaxUnassignedPages) +
            " pages with no memory behind them";
    return false;
  }
  if (!mapRegion(regionVa, regionSize, kind, regionPa, error))
    return false;
  uint64_t flags = shadowFlags(t, writeOverride);
  for (uint64_t a = regionVa; a < regionVa + regionSize; a += kPage) {
    uint64_t *pte = shadowPte(a, true);
    if (!pte) {
      error = "shadow page-table pool exhausted";
      return false;
    }
    *pte = (a & kFrameMask) | flags;
  }
  if (!model_) // the model records its own TLB fills
    record_(TlbEvent{TlbOp::Fill, regionVa, regionPa, regionSize});
  return true;
}

// Unicorn 2.0.1 does not recover from a write fault on a read-only shadow page that holds
// translated code (the guest stops making progress), so the emu backend cannot wait for the
// first write to set the Dirty bit: it walks as a write, setting D, whenever the guest's own
// tables allow writing (docs/emu-backend.md).
Translation ShadowMmu::walkForFill(uint64_t va, Access access) {
  Translation t = translate(guest_, ram_, va, access, true);
  if (t.ok && t.writable && !t.dirty) {
    Translation w = translate(guest_, ram_, va, Access{true, access.user, false}, true);
    if (w.ok) {
      w.event = t.event;
      t = w;
    }
  }
  return t;
}

bool ShadowMmu::handleUnmapped(uint64_t va, Access access, std::string &error) {
  if (!pagingOn_) {
    if (va < ram_.size()) {
      error = "internal: RAM at " + std::to_string(va) + " is not mapped";
      return false;
    }
    if (++unassignedPages_ > kMaxUnassignedPages) {
      error = "the guest touched more than " + std::to_string(kMaxUnassignedPages) +
              " pages with no memory behind them";
      return false;
    }
    return mapRegion(pageOf(va), kPage, Kind::Mmio, pageOf(va), error);
  }
  if (regions_.size() >= kRegionBudget)
    dropAllRegions();
  if (model_) {
    FaultOutcome out;
    if (modelFill(va, access, out))
      return true;
    if (out.failed) {
      error = out.error;
      return false;
    }
    lastFault_ = LastFault{true, pageOf(va), out};
  } else if (nestedEpt_) {
    FaultOutcome fault; // reported by handlePageFault, which walks again
    if (Translation t = nestedWalk(va, access, false, fault); t.ok)
      return fill(va, t, false, error);
  } else if (Translation t = walkForFill(va, access); t.ok) {
    record_(t.event);
    if (auto it = regionAt(va); it != regions_.end() && it->second.window)
      return windowFill(va, t, false, error);
    return fill(va, t, false, error, t.pageSize == kPage);
  }
  // The guest does not map it: an absent page whose shadow entry is not present makes
  // Unicorn raise #PF with the exact RIP, and handlePageFault reports the guest's fault.
  if (pageOf(va) >= kShadowBase && pageOf(va) < kShadowBase + kShadowSize) {
    error = "the guest touched 0xffc00000-0xffffffff, reserved by the emu backend";
    return false;
  }
  if (auto it = regionAt(va);
      !model_ && it != regions_.end() && it->second.window && !carvePage(va, error))
    return false;
  return mapRegion(pageOf(va), kPage, Kind::Absent, 0, error);
}

ShadowMmu::FaultOutcome ShadowMmu::handlePageFault(uint64_t cr2, Access access,
                                                   std::optional<bool> faultWrite) {
  FaultOutcome out;
  if (model_) {
    if (lastFault_.valid && lastFault_.page == pageOf(cr2)) {
      lastFault_.valid = false; // handleUnmapped consulted the model for this very access
      return lastFault_.outcome;
    }
    lastFault_.valid = false;
    modelFill(cr2, access, out);
    return out;
  }
  if (!nestedEpt_ && windowMiss(cr2)) {
    // What a page's own region would have done: the unmapped hook, which knows the access
    // from Unicorn (the error code's W/R).
    Access hook = access;
    if (faultWrite)
      hook.write = *faultWrite;
    if (fillWindowMiss(cr2, hook, out.error)) {
      out.windowFilled = true;
      return out; // the access retries
    }
    if (!out.error.empty()) {
      out.failed = true;
      return out;
    }
    // Not mapped by the guest: now an absent page of its own, whose fault is walked below.
  }
  Translation t;
  if (nestedEpt_) {
    t = nestedWalk(cr2, access, true, out);
    if (!t.ok)
      return out;
  } else {
    t = walkForFill(cr2, access);
    record_(t.event);
    if (!t.ok) {
      out.inject = true;
      out.errorCode = t.errorCode;
      return out;
    }
  }
  bool writeOverride = access.write && !access.user && !t.writable && !(guest_.cr0 & kCr0Wp);
  auto it = regionAt(cr2);
  if (it != regions_.end()) {
    bool sameFrame = it->second.kind != Kind::Absent &&
                     it->second.pa + (pageOf(cr2) - it->first) == pageOf(t.pa);
    if (!sameFrame && it->second.window) {
      if (!carvePage(cr2, out.error)) {
        out.failed = true;
        return out;
      }
    } else if (!sameFrame) {
      unmapRegion(it);
    }
  }
  if (regionAt(cr2) == regions_.end()) {
    if (!fill(cr2, t, writeOverride, out.error))
      out.failed = true;
    return out;
  }
  // Same frame, stricter shadow permissions than the guest's (a clean page now written,
  // or entries set up by an earlier read): refresh the shadow entries of that region.
  // A window's other pages keep their own translations.
  it = regionAt(cr2);
  uint64_t flags = shadowFlags(t, writeOverride);
  const uint64_t first = it->second.window ? pageOf(cr2) : it->first;
  const uint64_t last = it->second.window ? pageOf(cr2) + kPage : it->first + it->second.size;
  for (uint64_t a = first; a < last; a += kPage)
    if (uint64_t *pte = shadowPte(a, true))
      *pte = (a & kFrameMask) | flags;
  return out;
}

bool ShadowMmu::linearToPhysical(uint64_t va, bool write, uint64_t &pa) {
  if (nestedEpt_)
    return nestedLinearToPhysical(va, write, pa);
  if (!pagingOn_) {
    pa = va;
    return true;
  }
  Translation t = translate(guest_, ram_, va, Access{write, false, false}, write);
  pa = t.pa;
  return t.ok;
}

bool ShadowMmu::readLinear(uint64_t va, void *dst, size_t n) {
  auto *out = static_cast<uint8_t *>(dst);
  while (n > 0) {
    size_t chunk = std::min<uint64_t>(n, kPage - (va & (kPage - 1)));
    uint64_t pa;
    if (!linearToPhysical(va, false, pa))
      return false;
    if (!ram_.read(pa, out, chunk))
      for (size_t i = 0; i < chunk; ++i)
        out[i] = static_cast<uint8_t>(bus_.mmioRead(pa + i, 1));
    va += chunk;
    out += chunk;
    n -= chunk;
  }
  return true;
}

bool ShadowMmu::writeLinear(uint64_t va, const void *src, size_t n) {
  auto *in = static_cast<const uint8_t *>(src);
  while (n > 0) {
    size_t chunk = std::min<uint64_t>(n, kPage - (va & (kPage - 1)));
    uint64_t pa;
    if (!linearToPhysical(va, true, pa))
      return false;
    if (!ram_.write(pa, in, chunk))
      for (size_t i = 0; i < chunk; ++i)
        bus_.mmioWrite(pa + i, 1, in[i]);
    va += chunk;
    in += chunk;
    n -= chunk;
  }
  return true;
}

} // namespace ringside::emu
