#pragma once
// The events the app has received from the worker, in order: the recorded trace every view and
// every scrub reads. Also keeps what lets views stay fast on a million events: per-lane running
// counts (does a pixel column hold an event of this lane?) and the console text in one string.
#include "core/event_lanes.h"
#include "trace/events.h"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace ringside::desktop {

class EventStore {
public:
  void append(Event event);
  void clear();

  std::size_t size() const { return events_.size(); }
  bool empty() const { return events_.empty(); }
  const Event &at(std::size_t index) const { return events_[index]; }
  const std::vector<Event> &events() const { return events_; }

  /// Events of `lane` among [first, last).
  uint32_t laneCount(Lane lane, std::size_t first, std::size_t last) const {
    const auto &c = laneCounts_[static_cast<std::size_t>(lane)];
    return c[last] - c[first];
  }
  /// Index of the first event of `lane` at or after `first`, or size() when none.
  std::size_t nextInLane(Lane lane, std::size_t first) const;

  /// Every console byte the guest wrote, in order; a state's consoleLength is a prefix of it.
  const std::string &consoleText() const { return console_; }

private:
  std::vector<Event> events_;
  std::array<std::vector<uint32_t>, kLaneCount> laneCounts_{
      std::vector<uint32_t>{0}, std::vector<uint32_t>{0}, std::vector<uint32_t>{0}};
  std::string console_;
};

} // namespace ringside::desktop
