// A guest hypervisor's EPT, applied to its nested guest (native mode). The nested guest's
// linear addresses go through its own paging (if on) and then through the EPT tables the
// guest hypervisor built in its memory: the 2-D walk of mmu/walk_2d.h, whose "host memory"
// is guest RAM (the guest hypervisor's guest-physical space). The result is mapped into
// Unicorn exactly as a native translation is (a region at the linear address backed by the
// RAM the EPT chose, a shadow entry with the combined permissions), so the nested guest runs
// at full speed until it touches a page not yet mapped. A failed walk is the VM exit the
// processor would take: an EPT violation (48) or misconfiguration (49) to the guest
// hypervisor, reported by handlePageFault with the exact RIP (see docs/memory.md, "Nested
// EPT on the emu backend").
//
// Unicorn's mappings are dropped at every VM entry and exit (setGuestPaging), which is what
// a processor without VPIDs does with combined mappings; so INVEPT has nothing cached to drop
// by the time the nested guest runs again.
#include "emu/shadow_mmu.h"
#include "emu/shadow_mmu_bits.h"

#include "mmu/walk_2d.h"

#include <algorithm>
#include <cstring>

namespace ringside::emu {
namespace {

using shadow_bits::kCr0Pg;
constexpr uint64_t kQualGlaValid = 1ull << 7;

/// Guest RAM as the 2-D walk reads it: an address with no memory behind it reads as all ones
/// (the emu platform's open bus: absent pages read 0xFF too), so an EPT table there is a
/// misconfiguration, as on hardware and under Bochs 2.7, not an absent entry.
class OpenBusRam final : public PhysicalMemory {
public:
  explicit OpenBusRam(GuestRam &ram) : ram_(ram) {}
  bool read(uint64_t pa, void *dst, size_t n) const override {
    if (!ram_.read(pa, dst, n))
      std::memset(dst, 0xFF, n);
    return true;
  }
  bool write(uint64_t pa, const void *src, size_t n) override {
    ram_.write(pa, src, n); // A/D flags of an entry read from the open bus are lost
    return true;
  }

private:
  GuestRam &ram_;
};

/// R/W/X of the data's EPT translation: the AND over the entries of the last EPT walk.
uint8_t dataPermissions(const Walk2D &w) {
  if (w.eptCount == 0)
    return 0;
  const WalkEvent &e = w.ept[w.eptCount - 1];
  uint8_t allowed = ept::kRwx;
  for (unsigned i = 0; i < e.stepCount; ++i)
    allowed &= static_cast<uint8_t>(e.steps[i].entry & ept::kRwx);
  return allowed;
}

} // namespace

bool ShadowMmu::setNestedEpt(std::optional<uint64_t> eptp) {
  if (model_ && eptp)
    return false;
  if (eptp)
    nestedEpt_.emplace(*eptp);
  else
    nestedEpt_.reset();
  return true;
}

Translation ShadowMmu::nestedWalk(uint64_t va, Access access, bool recordFailure,
                                  FaultOutcome &fault) {
  const bool guestPaging = guest_.cr0 & kCr0Pg;
  const uint32_t id = nextNestedWalkId_++;
  OpenBusRam memory(ram_);
  Walk2D w = walk2D(guest_, *nestedEpt_, memory, va, access, id, true);
  auto recordWalk = [&](const Walk2D &walk) {
    for (unsigned i = 0; i < walk.eptCount; ++i)
      record_(walk.ept[i]);
    if (guestPaging) // with paging off there is no guest walk, only the EPT's
      record_(walk.guest.event);
  };

  if (!w.ok()) {
    if (recordFailure)
      recordWalk(w);
    else
      --nextNestedWalkId_; // not recorded: the id stays free
    Translation failed;
    if (w.outcome == Walk2DOutcome::EptViolation || w.outcome == Walk2DOutcome::EptMisconfig) {
      fault.nestedEpt = true;
      fault.eptExit =
          w.outcome == Walk2DOutcome::EptViolation ? kExitEptViolation : kExitEptMisconfig;
      fault.eptQualification = w.qualification;
      fault.eptGpa = w.faultGpa;
      if (w.outcome == Walk2DOutcome::EptViolation && (w.qualification & kQualGlaValid))
        fault.eptGla = va;
    } else {
      // The nested guest's own #PF (a non-canonical address is left to Unicorn, as in
      // native mode: its #GP comes when the access retries).
      fault.inject = true;
      fault.errorCode = w.guest.errorCode;
    }
    return failed;
  }
  recordWalk(w);

  // A page both levels let the guest write is mapped writable and dirty at once, as in
  // native mode (walkForFill): walk again as a write, which sets the guest's D flag and,
  // with EPT A/D flags on, the EPT's. Its events are not recorded (the access was a read).
  uint8_t allowed = dataPermissions(w);
  const bool guestDirty = !guestPaging || w.guest.dirty;
  const bool eptDirtyNeeded = nestedEpt_->eptp.accessedDirty;
  if (!access.write && w.guest.writable && (allowed & ept::kWrite) &&
      (!guestDirty || eptDirtyNeeded)) {
    Walk2D wr = walk2D(guest_, *nestedEpt_, memory, va, Access{true, access.user, false}, id, true);
    if (wr.ok()) {
      w = wr;
      allowed = dataPermissions(w);
    }
  }

  Translation t = w.guest;
  // Both mappings are linear over the smaller of the two page sizes.
  const uint64_t size = std::min(w.pageSize, w.eptPageSize);
  t.pa = w.hpa;
  t.pageBase = w.hpa & ~(size - 1);
  t.pageSize = size;
  t.writable = w.guest.writable && (allowed & ept::kWrite);
  t.executable = w.guest.executable && (allowed & ept::kExecute);
  t.dirty = !guestPaging || w.guest.dirty;
  return t;
}

bool ShadowMmu::nestedLinearToPhysical(uint64_t va, bool write, uint64_t &pa) {
  // The monitor's own accesses (decoding, operands, event delivery): no A/D updates, no
  // events. A failure is reported as the guest's #PF by the callers (approximate: the
  // processor would exit on the EPT violation).
  OpenBusRam memory(ram_);
  Walk2D w = walk2D(guest_, *nestedEpt_, memory, va, Access{write, false, false}, 0, false);
  pa = w.hpa;
  return w.ok();
}

} // namespace ringside::emu
