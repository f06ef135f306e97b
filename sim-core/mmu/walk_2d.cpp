// The 2-D walk reuses the guest walker unchanged: the guest walker reads its tables through a
// PhysicalMemory that runs an EPT walk for every guest-physical table address. An EPT failure
// makes that read fail, which stops the guest walk there; walk2D() then reports the VM exit
// instead of the guest's #PF.
#include "mmu/walk_2d.h"

#include "vmx/exit_decision.h"

#include <array>

namespace ringside {

namespace {

constexpr std::array kOutcomeNames = {"ok", "page-fault", "general-protection", "ept-violation",
                                      "ept-misconfig"};

class EptTranslatedTables : public PhysicalMemory {
public:
  EptTranslatedTables(const EptContext &ept, PhysicalMemory &host, Walk2D &walk, uint32_t walkId)
      : ept_(ept), host_(host), fastHost_(dynamic_cast<HostMemory *>(&host)), walk_(walk),
        walkId_(walkId) {}

  bool read(uint64_t gpa, void *dst, size_t n) const override {
    // With EPT A/D flags on, the processor treats its guest paging-structure accesses as
    // writes (SDM "EPT violations"), so they need W and set the EPT dirty flag.
    const EptTranslation *r =
        translate(EptRequest{gpa, true, ept_.eptp.accessedDirty, false, true, false});
    if (!r)
      return false;
    if (cacheCount_ < cache_.size())
      cache_[cacheCount_++] =
          Cached{page(gpa), page(r->hpa), r->permissions, static_cast<uint8_t>(walk_.eptCount - 1)};
    return fastHost_ ? fastHost_->read(r->hpa, dst, n) : host_.read(r->hpa, dst, n);
  }

  bool write(uint64_t gpa, const void *src, size_t n) override {
    // Setting a guest A/D flag reuses the translation made when the entry was read (no new
    // references). Without W in that translation the processor takes an EPT violation for
    // the write: recorded as a step-less EPT event carrying the exit.
    if (failed_)
      return false;
    for (unsigned i = 0; i < cacheCount_; ++i) {
      const Cached &c = cache_[i];
      if (c.gpaPage != page(gpa))
        continue;
      if (c.permissions & ept::kWrite)
        return fastHost_ ? fastHost_->write(c.hpaPage | (gpa & 0xFFF), src, n)
                         : host_.write(c.hpaPage | (gpa & 0xFFF), src, n);
      if (walk_.eptCount < walk_.ept.size()) {
        WalkEvent &e = walk_.ept[walk_.eptCount++];
        e = walk_.ept[c.eptIndex];
        e.stepCount = 0;
        e.memoryRefs = 0;
        e.write = true;
        e.fetch = false;
      }
      EptAccess access;
      access.write = true;
      access.allowed = c.permissions;
      access.glaValid = true;
      access.glaFinal = false;
      result_.outcome = EptOutcome::Violation;
      result_.permissions = c.permissions;
      result_.qualification = eptViolationQualification(access);
      if (walk_.eptCount > 0) {
        WalkEvent &e = walk_.ept[walk_.eptCount - 1];
        e.ok = false;
        e.gpa = 0;
        e.pageSize = 0;
        e.exitReason = kExitEptViolation;
        e.faultCode = static_cast<uint32_t>(result_.qualification);
      }
      markFailed(gpa);
      return false;
    }
    return false; // not an entry this walk read: cannot happen with the guest walker
  }

private:
  struct Cached {
    uint64_t gpaPage = 0, hpaPage = 0;
    uint8_t permissions = 0;
    uint8_t eptIndex = 0; ///< the EPT walk that made this translation
  };
  static uint64_t page(uint64_t a) { return a & ~uint64_t{0xFFF}; }

  /// One EPT walk, recorded; nullptr (and the walk marked failed) on a violation or
  /// misconfiguration.
  const EptTranslation *translate(const EptRequest &request) const {
    if (failed_ || walk_.eptCount >= walk_.ept.size())
      return nullptr;
    WalkEvent &e = walk_.ept[walk_.eptCount++];
    result_ = fastHost_ ? eptTranslate(ept_, *fastHost_, request, e)
                        : eptTranslate(ept_, host_, request, e);
    e.walkId = walkId_;
    if (result_.ok())
      return &result_;
    markFailed(request.gpa);
    return nullptr;
  }

  void markFailed(uint64_t gpa) const {
    failed_ = true;
    walk_.outcome = result_.outcome == EptOutcome::Violation ? Walk2DOutcome::EptViolation
                                                             : Walk2DOutcome::EptMisconfig;
    walk_.faultGpa = gpa;
    walk_.qualification = result_.qualification;
  }

  const EptContext &ept_;
  PhysicalMemory &host_;
  HostMemory *fastHost_; ///< host_ when it is the models' HostMemory: no virtual calls
  Walk2D &walk_;
  uint32_t walkId_;
  mutable EptTranslation result_;
  mutable bool failed_ = false;
  mutable std::array<Cached, 5> cache_{};
  mutable unsigned cacheCount_ = 0;
};

} // namespace

const char *walk2DOutcomeName(Walk2DOutcome outcome) {
  const auto i = static_cast<size_t>(outcome);
  return i < kOutcomeNames.size() ? kOutcomeNames[i] : "?";
}

unsigned Walk2D::tableRefs() const {
  unsigned refs = guest.event.memoryRefs;
  for (unsigned i = 0; i < eptCount; ++i)
    refs += ept[i].memoryRefs;
  return refs;
}

Walk2D walk2D(const PagingState &guestState, const EptContext &ept, PhysicalMemory &host,
              uint64_t gva, Access access, uint32_t walkId, bool updateAccessedDirty) {
  Walk2D walk;
  walk.gva = gva;
  {
    EptTranslatedTables tables(ept, host, walk, walkId);
    translateLinearInto(guestState, tables, gva, access, updateAccessedDirty, walk.guest);
  }
  WalkEvent &guestEvent = walk.guest.event;
  guestEvent.walkId = walkId;
  if (walk.outcome == Walk2DOutcome::EptViolation || walk.outcome == Walk2DOutcome::EptMisconfig) {
    // The guest walker saw the failed read as a not-present entry: that read never happened.
    const bool failedOnRead = walk.guest.event.stepCount > 0 && !walk.guest.ok;
    if (failedOnRead) {
      --guestEvent.stepCount;
      --guestEvent.memoryRefs;
      guestEvent.steps[guestEvent.stepCount] = WalkStep{};
    }
    walk.guest.ok = guestEvent.ok = false;
    walk.guest.errorCode = guestEvent.faultCode = 0;
    walk.guest.cr2 = 0;
    return walk;
  }
  if (walk.guest.generalProtection) {
    walk.outcome = Walk2DOutcome::GeneralProtection;
    return walk;
  }
  if (!walk.guest.ok) {
    walk.outcome = Walk2DOutcome::PageFault;
    return walk;
  }
  walk.gpa = walk.guest.pa;
  walk.pageSize = walk.guest.pageSize;
  if (walk.eptCount >= walk.ept.size()) { // cannot happen with at most 4 guest levels
    walk.outcome = Walk2DOutcome::EptMisconfig;
    return walk;
  }
  const EptRequest data{walk.gpa, !access.write && !access.fetch, access.write, access.fetch, true,
                        true};
  WalkEvent &e = walk.ept[walk.eptCount++];
  HostMemory *fastHost = dynamic_cast<HostMemory *>(&host);
  const EptTranslation r =
      fastHost ? eptTranslate(ept, *fastHost, data, e) : eptTranslate(ept, host, data, e);
  e.walkId = walkId;
  if (!r.ok()) {
    walk.outcome = r.outcome == EptOutcome::Violation ? Walk2DOutcome::EptViolation
                                                      : Walk2DOutcome::EptMisconfig;
    walk.faultGpa = walk.gpa;
    walk.qualification = r.qualification;
    return walk;
  }
  walk.hpa = r.hpa;
  walk.eptPageSize = r.pageSize;
  walk.memoryType = r.memoryType;
  return walk;
}

std::vector<MemoryRef> orderedRefs(const Walk2D &walk) {
  std::vector<MemoryRef> refs;
  const WalkEvent &g = walk.guest.event;
  const unsigned entryBytes = g.mode == WalkMode::Bits32 ? 4 : 8;
  for (unsigned i = 0; i < walk.eptCount; ++i) {
    const WalkEvent &e = walk.ept[i];
    for (unsigned s = 0; s < e.stepCount; ++s)
      refs.push_back(MemoryRef{MemoryRef::Kind::EptEntry, e.steps[s].level, static_cast<uint8_t>(i),
                               e.steps[s].tableAddr + uint64_t{e.steps[s].index} * 8,
                               e.steps[s].entry});
    if (i < g.stepCount)
      refs.push_back(MemoryRef{
          MemoryRef::Kind::GuestEntry, g.steps[i].level, static_cast<uint8_t>(i),
          g.steps[i].tableAddr + uint64_t{g.steps[i].index} * entryBytes, g.steps[i].entry});
  }
  if (walk.ok())
    refs.push_back(MemoryRef{MemoryRef::Kind::Data, 0, 0, walk.hpa, 0});
  return refs;
}

std::vector<WalkEvent> walkEvents(const Walk2D &walk) {
  std::vector<WalkEvent> events(walk.ept.begin(), walk.ept.begin() + walk.eptCount);
  events.push_back(walk.guest.event);
  return events;
}

} // namespace ringside
