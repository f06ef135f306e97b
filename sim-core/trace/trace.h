#pragma once
// The trace records events in order, numbers them, and passes each one to its listeners
// (a JSON Lines file, a live view). It is the one truth everything downstream reads.
#include "trace/events.h"

#include <functional>
#include <vector>

namespace ringside {

class Trace {
public:
  using Listener = std::function<void(const Event &)>;

  /// Records an event that happened after `instructions` retired guest instructions.
  const Event &record(uint64_t instructions, EventBody body);

  /// Listeners see every event recorded after they were added.
  void addListener(Listener listener) { listeners_.push_back(std::move(listener)); }

  /// Keep events in memory (default on). A long run can stream to listeners only.
  void setKeepEvents(bool keep) { keep_ = keep; }

  const std::vector<Event> &events() const { return events_; }
  uint64_t size() const { return nextSeq_; }
  void clear();
  /// The seq the next event gets: a restored snapshot continues the numbering of the run it
  /// was taken from (docs/snapshots.md).
  void setNextSeq(uint64_t seq) { nextSeq_ = seq; }

private:
  std::vector<Event> events_;
  std::vector<Listener> listeners_;
  uint64_t nextSeq_ = 0;
  bool keep_ = true;
  Event scratch_;
};

} // namespace ringside
