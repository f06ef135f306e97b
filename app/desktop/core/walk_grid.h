#pragma once
// A 2-D walk (docs/trace-format.md: walk events sharing a walk_id, the EPT walks then the guest
// walk) laid out as the grid of the papers: one row per guest level plus the final
// guest-physical address, one column per EPT level plus the guest entry. Each cell carries its
// place in the order the processor makes the references, so a view can light them in turn.
#include "core/event_store.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace ringside::desktop {

struct WalkGridCell {
  bool used = false;  ///< the walk made this reference
  bool fault = false; ///< the reference that ended a failed walk
  int order = 0;      ///< 1-based place among all references; 0 when unused
  uint8_t level = 0;  ///< the entry's level (4 … 1)
  uint64_t address = 0, entry = 0;
};

struct WalkGrid {
  uint32_t walkId = 0;
  int rows = 0;           ///< guest levels walked, plus one for the final GPA when translated
  int eptColumns = 0;     ///< EPT levels (the widest EPT walk)
  int guestSteps = 0;     ///< rows that end in a guest entry
  bool guestSeen = false; ///< the guest walk event is applied (else the grid is partial)
  bool ok = false;        ///< the guest walk translated (and no EPT walk failed)
  uint64_t gva = 0, gpa = 0;
  WalkMode guestMode = WalkMode::Long4;
  /// cells[row][column]: columns 0..eptColumns-1 are EPT entries, eptColumns the guest entry.
  std::vector<std::vector<WalkGridCell>> cells;
  std::vector<uint64_t> rowGpa; ///< the guest-physical address each row's EPT walk translated
  int references = 0;           ///< table references: 24 for a cold 4-level walk under 4-level EPT
  uint16_t exitReason = 0;      ///< 48/49 when an EPT walk failed
};

/// The grid of the 2-D walk the event at `last` belongs to, from the events [first, last]
/// sharing its walk id; nullopt when that walk stands alone (walk id 0) or has no EPT walk.
std::optional<WalkGrid> walkGridAt(const EventStore &store, uint64_t first, uint64_t last);

} // namespace ringside::desktop
