#pragma once
// The two-dimensional walk: a guest page walk under EPT. Every guest paging-structure entry
// lives at a guest-physical address, so each is reached through an EPT walk first; the final
// guest-physical address needs one more. For n guest levels and m EPT levels a cold walk makes
// n·m + n + m table references (24 for 4 under 4), plus the data access itself.
//
// The walk is recorded as linked `walk` events sharing a walk id: the EPT walks in the order
// they happened, then the guest walk (whose table addresses are guest-physical). References
// happen in the order EPT walk 0, guest step 0, EPT walk 1, guest step 1, …, the last EPT walk
// (the final guest-physical address), the data; orderedRefs() spells that out.
#include "mmu/ept.h"
#include "mmu/page_walker.h"
#include "trace/events.h"

#include <array>
#include <cstdint>
#include <vector>

namespace ringside {

enum class Walk2DOutcome : uint8_t { Ok, PageFault, GeneralProtection, EptViolation, EptMisconfig };
const char *walk2DOutcomeName(Walk2DOutcome outcome);

struct Walk2D {
  Walk2DOutcome outcome = Walk2DOutcome::Ok;
  uint64_t gva = 0;
  uint64_t gpa = 0;               ///< the guest translation's result (when the guest walk finished)
  uint64_t hpa = 0;               ///< the data's host-physical address when ok
  uint64_t pageSize = 0;          ///< guest page size when ok
  uint64_t eptPageSize = 0;       ///< EPT page size of the data when ok
  uint8_t memoryType = 0;         ///< EPT memory type of the data page when ok
  uint64_t faultGpa = 0;          ///< EPT violation/misconfiguration: the guest-physical address
  uint64_t qualification = 0;     ///< EPT violation: the exit qualification
  Translation guest;              ///< the guest walk (#PF: errorCode and cr2)
  std::array<WalkEvent, 6> ept{}; ///< the EPT walks, in order
  uint8_t eptCount = 0;

  bool ok() const { return outcome == Walk2DOutcome::Ok; }
  /// Paging-structure references: every guest entry read plus every EPT entry read.
  unsigned tableRefs() const;
  /// tableRefs() plus the data access when the walk succeeded.
  unsigned totalRefs() const { return tableRefs() + (ok() ? 1 : 0); }
};

/// Translates `gva` for `access` through the guest's tables and the EPT. `walkId` links the
/// events (nonzero to link). A/D flags are updated as the processor would: the guest's when
/// the guest walk succeeds, the EPT's when its A/D flags are enabled.
Walk2D walk2D(const PagingState &guest, const EptContext &ept, PhysicalMemory &host, uint64_t gva,
              Access access, uint32_t walkId = 0, bool updateAccessedDirty = true);

/// One memory reference of a 2-D walk, in the order the processor makes them.
struct MemoryRef {
  enum class Kind : uint8_t { EptEntry, GuestEntry, Data };
  Kind kind = Kind::Data;
  uint8_t level = 0;    ///< the entry's level (4 … 1); 0 for the data
  uint8_t eptWalk = 0;  ///< which EPT walk (EptEntry) or guest step (GuestEntry) it belongs to
  uint64_t address = 0; ///< host-physical (EPT entries, data) or guest-physical (guest entries)
  uint64_t value = 0;   ///< the entry read (0 for the data)
};
std::vector<MemoryRef> orderedRefs(const Walk2D &walk);

/// The events of the walk in trace order (EPT walks, then the guest walk), each carrying walkId.
std::vector<WalkEvent> walkEvents(const Walk2D &walk);

} // namespace ringside
