#include "core/event_store.h"

#include <algorithm>

namespace ringside::desktop {

void EventStore::append(Event event) {
  const auto lane = static_cast<std::size_t>(laneOf(event));
  for (std::size_t l = 0; l < kLaneCount; ++l)
    laneCounts_[l].push_back(laneCounts_[l].back() + (l == lane ? 1 : 0));
  if (const auto *console = std::get_if<ConsoleEvent>(&event.body))
    console_ += console->text;
  events_.push_back(std::move(event));
}

void EventStore::clear() {
  events_.clear();
  for (auto &c : laneCounts_)
    c.assign(1, 0);
  console_.clear();
}

std::size_t EventStore::nextInLane(Lane lane, std::size_t first) const {
  // The running count first rises after the event we want: binary search on it.
  const auto &c = laneCounts_[static_cast<std::size_t>(lane)];
  if (first >= events_.size())
    return events_.size();
  const auto it =
      std::upper_bound(c.begin() + static_cast<std::ptrdiff_t>(first + 1), c.end(), c[first]);
  if (it == c.end())
    return events_.size();
  return static_cast<std::size_t>(it - c.begin()) - 1;
}

} // namespace ringside::desktop
