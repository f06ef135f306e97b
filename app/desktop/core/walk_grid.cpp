#include "core/walk_grid.h"

#include <algorithm>

namespace ringside::desktop {

std::optional<WalkGrid> walkGridAt(const EventStore &store, uint64_t first, uint64_t last) {
  if (last >= store.size() || first > last)
    return std::nullopt;
  const auto *tail = std::get_if<WalkEvent>(&store.at(last).body);
  if (!tail || tail->walkId == 0)
    return std::nullopt;
  std::vector<const WalkEvent *> ept;
  const WalkEvent *guest = nullptr;
  for (uint64_t i = first; i <= last; ++i) {
    const auto *w = std::get_if<WalkEvent>(&store.at(i).body);
    if (!w || w->walkId != tail->walkId)
      continue;
    if (w->purpose == WalkPurpose::Ept)
      ept.push_back(w);
    else
      guest = w;
  }
  if (ept.empty())
    return std::nullopt;
  // (an EPT walk with no steps reports an exit found on a translation already made)

  WalkGrid g;
  g.walkId = tail->walkId;
  g.guestSeen = guest != nullptr;
  g.guestSteps = guest ? std::min<int>(guest->stepCount, int(guest->steps.size())) : 0;
  for (const WalkEvent *e : ept) // columns by level: the top level the EPT walks start at
    if (e->stepCount)
      g.eptColumns = std::max<int>(g.eptColumns, e->steps[0].level);
  g.rows = std::max<int>(static_cast<int>(ept.size()), g.guestSteps);
  g.cells.assign(static_cast<std::size_t>(g.rows),
                 std::vector<WalkGridCell>(static_cast<std::size_t>(g.eptColumns) + 1));
  g.rowGpa.assign(static_cast<std::size_t>(g.rows), 0);
  if (guest) {
    g.gva = guest->gva;
    g.gpa = guest->gpa;
    g.guestMode = guest->mode;
  }

  // The processor's order: EPT walk i, then guest step i, for each row.
  int order = 0;
  for (int r = 0; r < g.rows; ++r) {
    auto &row = g.cells[static_cast<std::size_t>(r)];
    if (r < static_cast<int>(ept.size())) {
      const WalkEvent &e = *ept[static_cast<std::size_t>(r)];
      g.rowGpa[static_cast<std::size_t>(r)] = e.gva;
      const int n = std::min<int>(e.stepCount, int(e.steps.size()));
      for (int k = 0; k < n; ++k) {
        // Column by level, so a walk that stops early (a large page) leaves the lower ones.
        const WalkStep &st = e.steps[static_cast<std::size_t>(k)];
        const int col = std::clamp(g.eptColumns - st.level, 0, g.eptColumns - 1);
        row[static_cast<std::size_t>(col)] =
            WalkGridCell{true, !e.ok && k == n - 1, ++order, st.level, st.tableAddr, st.entry};
      }
      if (!e.ok && e.exitReason)
        g.exitReason = e.exitReason;
    }
    if (guest && r < g.guestSteps) {
      const WalkStep &st = guest->steps[static_cast<std::size_t>(r)];
      row[static_cast<std::size_t>(g.eptColumns)] = WalkGridCell{
          true, !guest->ok && r == g.guestSteps - 1, ++order, st.level, st.tableAddr, st.entry};
    }
  }
  g.references = order;
  g.ok = guest && guest->ok && g.exitReason == 0;
  return g;
}

} // namespace ringside::desktop
