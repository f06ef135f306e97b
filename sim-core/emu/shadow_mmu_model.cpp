// The emu backend's MMU under `--mmu shadow|ept`: every translation Unicorn asks for is made by
// MmuModel (its TLB, then the shadow pager or the 2-D walk) over the very bytes of guest RAM,
// and the model's answer is what ShadowMmu maps into Unicorn. Unicorn's mappings stand for the
// TLB's contents: whenever the model flushes, they are dropped, so the next touch of a page
// asks the model again. See docs/memory.md ("The emu backend under --mmu").
#include "emu/shadow_mmu.h"
#include "emu/shadow_mmu_bits.h"

#include "platform/layout.h"

#include <cstring>

namespace ringside::emu {
namespace {

using namespace shadow_bits;
// Where the model places guest RAM and the VMM's table pool in its host-physical space: apart
// from each other and from guest-physical addresses, so a trace shows which is which.
constexpr uint64_t kModelRamBase = 1ull << 32;
constexpr uint64_t kModelPoolBase = 1ull << 36;

} // namespace

void ShadowMmu::createModel() {
  host_ = std::make_unique<HostMemory>();
  host_->addExternalRegion(kModelRamBase, ram_.data(), ram_.size());
  // EPT: one PT page per 2 MiB of RAM; shadow: up to maxRoots address spaces of tables.
  const uint64_t poolSize = pageOf(ram_.size() / 64) + (8ull << 20);
  pool_ = std::make_unique<PageAllocator>(*host_, kModelPoolBase, poolSize);
  MmuModelConfig c;
  c.mode = options_.mode;
  c.vpid = options_.vpid;
  c.tlb.entries = options_.tlbEntries;
  c.tlb.vpidEnabled = options_.vpid != 0;
  if (ram_.size() > layout::kVgaBase) // the VGA window is a device, not RAM: left out of the EPT
    c.eptHoles.emplace_back(layout::kVgaBase, layout::kVgaSize);
  model_ = std::make_unique<MmuModel>(*host_, GuestRamMap{ram_.size(), kModelRamBase}, *pool_, c,
                                      [this](EventBody b) {
                                        if (const auto *t = std::get_if<TlbEvent>(&b)) {
                                          if (t->op == TlbOp::FlushAll || t->op == TlbOp::FlushVpid)
                                            modelFlushAll_ = true;
                                          else if (t->op == TlbOp::FlushPage)
                                            modelFlushPages_.push_back(t->va);
                                        }
                                        record_(std::move(b));
                                      });
  model_->setPaging(guest_);
  modelPaging_ = guest_;
  modelFlushAll_ = false;
}

void ShadowMmu::modelSetPaging(const PagingState &now) {
  const PagingState was = modelPaging_;
  modelPaging_ = now;
  if (was.cr0 == now.cr0 && was.cr4 == now.cr4 && was.efer == now.efer)
    model_->movCr3(now.cr3);
  else
    model_->setPaging(now);
  applyModelFlushes();
}

void ShadowMmu::flushUnicornTlb() {
  // Unicorn 2.0.1 flushes its TLB on uc_mem_unmap and on nothing cheaper (a CR3 write through
  // the API does not): unmapping and remapping the spare last page of the shadow area does it.
  if (!pagingOn_)
    return;
  const uint64_t spare = kShadowBase + kShadowSize - kPage;
  uc_mem_unmap(uc_, spare, kPage);
  uc_mem_map_ptr(uc_, spare, kPage, UC_PROT_READ | UC_PROT_WRITE,
                 reinterpret_cast<uint8_t *>(tables_.get()) + kShadowSize - kPage);
}

void ShadowMmu::applyModelFlushes() {
  if (modelFlushAll_) {
    modelFlushAll_ = false;
    modelFlushPages_.clear();
    if (pagingOn_) {
      resetShadow();
      flushUnicornTlb();
    }
    return;
  }
  if (modelFlushPages_.empty())
    return;
  if (pagingOn_) {
    for (uint64_t va : modelFlushPages_)
      if (uint64_t *pte = shadowPte(va, false))
        *pte = 0;
    flushUnicornTlb();
  }
  modelFlushPages_.clear();
}

void ShadowMmu::vmTransition(bool dropMappings, uint64_t pc) {
  if (!model_)
    return;
  model_->vmExit(); // exit and entry flush alike: everything without VPID, nothing with it
  if (!dropMappings)
    return;
  // The same instruction exiting again (its step faulted and it re-ran, or a REP string
  // instruction's next iteration): dropping again would make it fault and exit for ever.
  if (pc == lastDropPc_)
    return;
  lastDropPc_ = pc;
  modelFlushAll_ = false; // everything goes below
  modelFlushPages_.clear();
  if (pagingOn_) {
    resetShadow();
    flushUnicornTlb();
  }
}

bool ShadowMmu::modelFill(uint64_t va, Access access, FaultOutcome &out) {
  const bool shadowMode = options_.mode == MmuMode::Shadow;
  if (shadowMode && access.write) {
    // A write to a page the VMM write-protects (a guest page table): the VMM must emulate it.
    // Looked up without A/D updates: this is the backend choosing its path, not a walk the
    // modelled hardware makes (the model's exit is counted when the write is emulated).
    Translation g = translate(guest_, ram_, va, access, false);
    if (g.ok && model_->shadow()->writeProtected(pageOf(g.pa))) {
      if (regionAt(va) != regions_.end()) {
        out.tableWrite = true;
        return false;
      }
      access.write = false; // map it read-only; the write then faults and is emulated
    }
  }
  MmuAccess m = model_->access(va, access);
  applyModelFlushes();
  if (m.ok && !access.write && !(m.writable && m.dirty)) {
    // The emu backend maps a writable page as dirty at once (Unicorn 2.0.1 cannot resume a
    // write fault on a page holding translated code; docs/emu-backend.md): when the guest's
    // tables allow writing, the fill is made as a write, which sets D.
    const Access w{true, access.user, false};
    Translation g = translate(guest_, ram_, va, w, false);
    if (g.ok && !(shadowMode && model_->shadow()->writeProtected(pageOf(g.pa)))) {
      MmuAccess mw = model_->access(va, w);
      applyModelFlushes();
      if (mw.ok)
        m = mw;
    }
  }
  Translation t;
  if (m.ok) {
    t.ok = true;
    t.pa = m.gpa;
    t.pageBase = pageOf(m.gpa);
    t.pageSize = kPage;
    t.writable = m.writable;
    t.dirty = m.dirty;
    t.user = m.user;
    t.executable = m.executable;
  } else if (m.fault == MmuFault::PageFault) {
    out.inject = true;
    out.errorCode = m.errorCode;
    return false;
  } else if (m.fault == MmuFault::GeneralProtection) {
    // A non-canonical address: Unicorn raises the #GP itself once the access retries, as in
    // native mode, which takes the same path (its walker does not check canonical form).
    t = translate(guest_, ram_, va, access, true);
    if (!t.ok) {
      out.inject = true;
      out.errorCode = t.errorCode;
      return false;
    }
  } else {
    // The translation leads outside guest RAM: a device page (MMIO), or, under EPT, a guest
    // page table with no memory behind it. The VMM finds the guest's translation itself.
    const bool eptExit = m.fault == MmuFault::EptViolation || m.fault == MmuFault::EptMisconfig;
    t = translate(guest_, ram_, va, access, true);
    if (eptExit) {
      const bool finalGpa = t.ok && pageOf(t.pa) == pageOf(m.faultGpa);
      if (finalGpa && !ram_.isRam(pageOf(m.faultGpa), kPage)) {
        // A device: KVM marks the page (later accesses exit as misconfigurations); this
        // first violation is reported when the access reaches the device.
        auto [it, fresh] = devicePages_.try_emplace(pageOf(m.faultGpa));
        if (fresh && m.fault == MmuFault::EptViolation) {
          it->second = m.qualification;
          model_->markEptMmio(m.faultGpa);
        }
      } else {
        // A guest page table outside RAM: the exit is recorded and, as the walker reads
        // such a table as not present, the guest takes the #PF the native walk gives.
        out.eptExit = m.fault == MmuFault::EptViolation ? 48 : 49;
        out.eptQualification = m.qualification;
        out.eptGpa = m.faultGpa;
      }
    }
    if (!t.ok) {
      out.inject = true;
      out.errorCode = t.errorCode;
      return false;
    }
  }
  const bool writeOverride = access.write && !access.user && !t.writable && !(guest_.cr0 & kCr0Wp);
  auto it = regionAt(va);
  bool replaced = false;
  if (it != regions_.end()) {
    const bool sameFrame =
        it->second.kind != Kind::Absent && it->second.pa + (pageOf(va) - it->first) == pageOf(t.pa);
    if (!sameFrame) {
      unmapRegion(it);
      replaced = true;
    }
  }
  if (regionAt(va) == regions_.end()) {
    // A page that did not fit the region around it gets a region of its own, so two pages
    // with different VA→PA offsets cannot keep evicting each other's window.
    if (!fill(va, t, writeOverride, out.error, !replaced)) {
      out.failed = true;
      return false;
    }
    return true;
  }
  uint64_t *pte = shadowPte(pageOf(va), true);
  if (!pte) {
    out.failed = true;
    out.error = "shadow page-table pool exhausted";
    return false;
  }
  *pte = (pageOf(va) & kFrameMask) | shadowFlags(t, writeOverride);
  return true;
}

bool ShadowMmu::beginTableWrite(uint64_t cr2, Access access) {
  if (!model_ || tableWrite_.active)
    return false;
  Translation g = translate(guest_, ram_, cr2, access, false);
  auto region = regionAt(cr2);
  uint64_t *pte = region != regions_.end() ? shadowPte(pageOf(cr2), true) : nullptr;
  if (!g.ok || !pte || !ram_.isRam(pageOf(g.pa), kPage))
    return false;
  if (!(*pte & 1)) {
    // The VMM dropped Unicorn's entries since the page was mapped (a flush after an earlier
    // emulated write): the region still backs the page; only its shadow entry is rebuilt.
    if (region->second.kind != Kind::Ram ||
        region->second.pa + (pageOf(cr2) - region->first) != pageOf(g.pa))
      return false;
    *pte = (pageOf(cr2) & kFrameMask) | shadowFlags(g, false);
  }
  tableWrite_.active = true;
  tableWrite_.access = access;
  tableWrite_.page = pageOf(cr2);
  tableWrite_.gpa = pageOf(g.pa);
  const uint8_t *bytes = ram_.data() + tableWrite_.gpa;
  tableWrite_.before.assign(bytes, bytes + kPage);
  *pte |= kPteRw; // an upgrade: Unicorn re-walks on the write, no flush needed
  return true;
}

void ShadowMmu::endTableWrite() {
  if (!tableWrite_.active)
    return;
  tableWrite_.active = false;
  if (uint64_t *pte = shadowPte(tableWrite_.page, false))
    *pte &= ~kPteRw;
  flushUnicornTlb();
  // The instruction ran against the page; the VMM's model now performs each 8-byte entry that
  // changed (undoing it first), which is the emulation: the write, then the derived shadow
  // entries dropped.
  uint8_t *now = ram_.data() + tableWrite_.gpa;
  const Access w{true, tableWrite_.access.user, false};
  bool changed = false;
  for (uint64_t off = 0; off < kPage; off += 8) {
    if (std::memcmp(now + off, tableWrite_.before.data() + off, 8) == 0)
      continue;
    uint8_t value[8];
    std::memcpy(value, now + off, 8);
    std::memcpy(now + off, tableWrite_.before.data() + off, 8);
    model_->access(tableWrite_.page + off, w, value, 8);
    changed = true;
  }
  if (!changed) // the same value stored again: still an exit and an emulated write
    model_->access(tableWrite_.page, w, now, 8);
  applyModelFlushes();
}

uint16_t ShadowMmu::eptDeviceAccess(uint64_t gpa, bool write, uint64_t &qualification) {
  qualification = 0;
  if (!model_ || options_.mode != MmuMode::Ept)
    return 0;
  auto [it, fresh] = devicePages_.try_emplace(pageOf(gpa));
  if (!fresh && it->second) { // the 2-D walk that mapped the page found the violation
    qualification = *it->second;
    it->second.reset();
    return 48;
  }
  const EptGpaAccess e = model_->eptAccess(gpa, write, false);
  if (e.outcome == EptOutcome::Violation)
    model_->markEptMmio(gpa);
  qualification = e.qualification;
  return e.outcome == EptOutcome::Violation ? 48 : e.outcome == EptOutcome::Misconfig ? 49 : 0;
}

void ShadowMmu::resetModelCounters() {
  if (model_)
    model_->resetCounters();
}

std::map<std::string, uint64_t> ShadowMmu::modelCounters() const {
  return model_ ? model_->counterMap() : std::map<std::string, uint64_t>{};
}

} // namespace ringside::emu
