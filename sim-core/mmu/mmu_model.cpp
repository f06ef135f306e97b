#include "mmu/mmu_model.h"

#include "mmu/ept_builder.h"
#include "mmu/paging_bits.h"

#include <algorithm>
#include <array>

namespace ringside {

namespace {
constexpr std::array kModeNames = {"native", "shadow", "ept"};
constexpr uint64_t kPageMask = ~uint64_t{0xFFF};
} // namespace

const char *mmuModeName(MmuMode mode) {
  const auto i = static_cast<size_t>(mode);
  return i < kModeNames.size() ? kModeNames[i] : "?";
}

MmuModel::MmuModel(HostMemory &host, GuestRamMap ram, PageAllocator &pool,
                   const MmuModelConfig &config, Recorder record)
    : host_(host), ram_(ram), guestMemory_(host, ram), config_(config), record_(std::move(record)),
      tlb_(config.tlb, record_) {
  if (config_.mode == MmuMode::Shadow) {
    // The shadow pager's walks are counted here, then passed on.
    shadow_ = std::make_unique<ShadowPager>(host, ram, pool, config_.shadow, [this](EventBody b) {
      if (const auto *w = std::get_if<WalkEvent>(&b))
        count(*w);
      if (record_)
        record_(std::move(b));
    });
  } else if (config_.mode == MmuMode::Ept) {
    eptBuilder_ = std::make_unique<EptBuilder>(pool);
    const uint64_t page = config_.eptPageSize;
    const uint64_t size = (ram.ramSize + page - 1) & ~(page - 1);
    auto inHole = [&](uint64_t gpa, uint64_t len) {
      return std::any_of(config_.eptHoles.begin(), config_.eptHoles.end(), [&](const auto &h) {
        return gpa < h.first + h.second && h.first < gpa + len;
      });
    };
    // Pages of the chosen size, except around a hole, which is left out 4 KiB at a time.
    for (uint64_t gpa = 0; gpa < size; gpa += page) {
      if (!inHole(gpa, page)) {
        eptBuilder_->map(gpa, ram.hostBase + gpa, page, page);
        continue;
      }
      for (uint64_t p4 = gpa; p4 < gpa + page; p4 += 4096)
        if (!inHole(p4, 4096))
          eptBuilder_->map(p4, ram.hostBase + p4, 4096, 4096);
    }
    eptp_ = eptBuilder_->eptp(config_.eptAccessedDirty);
  }
}

EptGpaAccess MmuModel::eptAccess(uint64_t gpa, bool write, bool fetch, bool glaValid) {
  EptRequest req;
  req.gpa = gpa;
  req.read = !write && !fetch;
  req.write = write;
  req.fetch = fetch;
  req.glaValid = glaValid;
  req.finalTranslation = glaValid; // bit 8 is defined only with bit 7
  WalkEvent e;
  const EptTranslation t = eptTranslate(EptContext(eptp_), host_, req, e);
  e.walkId = nextWalkId_++;
  count(e);
  if (record_)
    record_(e);
  if (t.outcome == EptOutcome::Violation)
    ++counters_.eptViolations;
  if (t.outcome == EptOutcome::Misconfig)
    ++counters_.eptMisconfigs;
  return EptGpaAccess{t.outcome, t.qualification};
}

void MmuModel::markEptMmio(uint64_t gpa) {
  if (eptBuilder_)
    eptBuilder_->map(gpa & kPageMask, 0, 4096, 4096, 2 /* write-only: a misconfiguration */);
}

std::map<std::string, uint64_t> MmuModel::counterMap() const {
  const MmuCounters &c = counters_;
  std::map<std::string, uint64_t> out{{"accesses", c.accesses},
                                      {"tlb_hits", c.tlbHits},
                                      {"tlb_misses", c.tlbMisses},
                                      {"walks", c.walks},
                                      {"walk_refs", c.walkRefs},
                                      {"page_faults", c.pageFaults},
                                      {"hidden_faults", c.hiddenFaults},
                                      {"true_faults", c.trueFaults},
                                      {"ept_violations", c.eptViolations},
                                      {"ept_misconfigs", c.eptMisconfigs}};
  if (shadow_) {
    const ShadowCounters &sc = shadow_->counters();
    out["shadow_exits"] = sc.exits;
    out["emulated_writes"] = sc.emulatedWrites;
    out["shadow_entries_built"] = sc.entriesBuilt;
    out["shadow_tables"] = sc.tablesAllocated;
    out["shadow_roots_built"] = sc.rootsBuilt;
    out["shadow_roots_reused"] = sc.rootsReused;
  }
  return out;
}

void MmuModel::resetCounters() {
  counters_ = {};
  if (shadow_)
    shadow_->resetCounters();
}

void MmuModel::count(const WalkEvent &e) {
  ++counters_.walks;
  counters_.walkRefs += e.memoryRefs;
}

void MmuModel::setPaging(const PagingState &guest) {
  guest_ = guest;
  if (shadow_)
    shadow_->setPaging(guest);
  tlb_.flushVpid(config_.vpid, TlbCause::PagingChange);
}

void MmuModel::movCr3(uint64_t cr3) {
  guest_.cr3 = cr3;
  if (shadow_)
    shadow_->movCr3(cr3);
  tlb_.movCr3(config_.vpid);
}

void MmuModel::invlpg(uint64_t gva) {
  if (shadow_)
    shadow_->invlpg(gva);
  tlb_.invlpg(gva, config_.vpid);
}

void MmuModel::vmExit() { tlb_.vmTransition(); }
void MmuModel::vmEntry() { tlb_.vmTransition(); }
void MmuModel::invept(uint32_t type) { tlb_.invept(type, eptp_); }
void MmuModel::invvpid(uint32_t type, uint64_t gva) { tlb_.invvpid(type, config_.vpid, gva); }

bool MmuModel::permits(const TlbEntry &e, const Access &a) const {
  // A TLB entry caches rights: anything it does not allow (or a write that must set D) goes
  // back to the page walk, which decides.
  if (a.user && !e.user)
    return false;
  if (a.write && (!e.dirty || (!e.writable && (a.user || (guest_.cr0 & paging::kCr0Wp)))))
    return false;
  return !(a.fetch && !e.executable);
}

MmuAccess MmuModel::access(uint64_t gva, Access a, const void *data, size_t n) {
  ++counters_.accesses;
  const uint64_t tagEptp = config_.mode == MmuMode::Ept ? eptp_ : 0;
  if (auto hit = tlb_.lookup(gva, config_.vpid, tagEptp); hit && permits(*hit, a)) {
    ++counters_.tlbHits;
    MmuAccess out;
    out.ok = out.tlbHit = true;
    out.hpa = hit->paBase | (gva & (hit->pageSize - 1));
    ram_.toGuest(out.hpa, out.gpa);
    out.pageSize = hit->pageSize;
    out.writable = hit->writable;
    out.user = hit->user;
    out.executable = hit->executable;
    out.dirty = hit->dirty;
    if (data && a.write)
      host_.write(out.hpa, data, n);
    return out;
  }
  ++counters_.tlbMisses;
  return walk(gva, a, data, n);
}

MmuAccess MmuModel::walk(uint64_t gva, Access a, const void *data, size_t n) {
  MmuAccess out;
  TlbEntry fill;
  fill.vpid = config_.vpid;
  fill.vaBase = gva & kPageMask;
  switch (config_.mode) {
  case MmuMode::Native: {
    Translation t = translateLinear(guest_, guestMemory_, gva, a);
    if (record_)
      record_(t.event);
    if (!t.generalProtection)
      count(t.event);
    if (!t.ok) {
      out.fault = t.generalProtection ? MmuFault::GeneralProtection : MmuFault::PageFault;
      out.errorCode = t.errorCode;
      out.cr2 = t.cr2;
      break;
    }
    if (!ram_.toHost(t.pa, out.hpa)) {
      out.notRam = true;
      break;
    }
    out.ok = true;
    fill.vaBase = gva & ~(t.pageSize - 1);
    fill.paBase = out.hpa & ~(t.pageSize - 1);
    fill.pageSize = t.pageSize;
    fill.writable = t.writable;
    fill.user = t.user;
    fill.executable = t.executable;
    fill.dirty = t.dirty;
    break;
  }
  case MmuMode::Ept: {
    const Walk2D w = walk2D(guest_, EptContext(eptp_), host_, gva, a, nextWalkId_++);
    for (const WalkEvent &e : walkEvents(w)) {
      count(e);
      if (record_)
        record_(e);
    }
    switch (w.outcome) {
    case Walk2DOutcome::Ok:
      out.ok = true;
      out.hpa = w.hpa;
      // The TLB caches the combined translation with the smaller of the two page sizes.
      fill.pageSize = std::min(w.pageSize, w.eptPageSize);
      fill.vaBase = gva & ~(fill.pageSize - 1);
      fill.paBase = w.hpa & ~(fill.pageSize - 1);
      fill.eptp = eptp_;
      fill.writable = w.guest.writable;
      fill.user = w.guest.user;
      fill.executable = w.guest.executable;
      fill.dirty = w.guest.dirty;
      break;
    case Walk2DOutcome::PageFault:
      out.fault = MmuFault::PageFault;
      out.errorCode = w.guest.errorCode;
      out.cr2 = w.guest.cr2;
      break;
    case Walk2DOutcome::GeneralProtection:
      out.fault = MmuFault::GeneralProtection;
      break;
    case Walk2DOutcome::EptViolation:
    case Walk2DOutcome::EptMisconfig:
      out.fault = w.outcome == Walk2DOutcome::EptViolation ? MmuFault::EptViolation
                                                           : MmuFault::EptMisconfig;
      out.qualification = w.qualification;
      out.faultGpa = w.faultGpa;
      ++(w.outcome == Walk2DOutcome::EptViolation ? counters_.eptViolations
                                                  : counters_.eptMisconfigs);
      break;
    }
    break;
  }
  case MmuMode::Shadow: {
    // When the VMM drops or write-protects shadow entries it must flush the TLB, or the
    // processor could keep using them (KVM's remote TLB flush).
    const uint64_t changedBefore =
        shadow_->counters().entriesZapped + shadow_->counters().writeProtected;
    const ShadowAccess s = shadow_->access(gva, a, data, n);
    if (shadow_->counters().entriesZapped + shadow_->counters().writeProtected != changedBefore)
      tlb_.flushVpid(config_.vpid, TlbCause::Vmm);
    if (s.hiddenFault)
      ++counters_.hiddenFaults;
    if (s.trueFault)
      ++counters_.trueFaults;
    out.gpa = s.gpa;
    if (!s.ok) {
      out.notRam = s.notRam;
      if (s.trueFault) {
        out.fault = s.generalProtection ? MmuFault::GeneralProtection : MmuFault::PageFault;
        out.errorCode = s.errorCode;
        out.cr2 = s.cr2;
      }
      break;
    }
    out.ok = true;
    out.hpa = s.hpa;
    if (s.emulated)
      return out; // the VMM did the write: nothing for the TLB to cache
    // The TLB caches the shadow leaf, whose rights are the processor's (4 KiB pages).
    const uint64_t leaf =
        s.shadowWalk.stepCount ? s.shadowWalk.steps[s.shadowWalk.stepCount - 1].entry : 0;
    fill.paBase = s.hpa & kPageMask;
    fill.writable = (leaf & paging::kWritable) != 0;
    fill.user = (leaf & paging::kUser) != 0;
    fill.executable = !(leaf & paging::kExecuteDisable);
    fill.dirty = true; // shadow leaves carry D; the guest's D is the VMM's business
    break;
  }
  }
  if (out.fault == MmuFault::PageFault)
    ++counters_.pageFaults;
  if (out.fault == MmuFault::GeneralProtection)
    ++counters_.generalProtection;
  if (out.ok) {
    tlb_.fill(fill);
    ram_.toGuest(out.hpa, out.gpa);
    out.pageSize = fill.pageSize;
    out.writable = fill.writable;
    out.user = fill.user;
    out.executable = fill.executable;
    out.dirty = fill.dirty;
  }
  return out;
}

} // namespace ringside
