#pragma once
// Scrubbing: the state at any event without replaying the whole trace. A checkpoint is kept
// every kInterval events as they arrive; the state at event n is the checkpoint at or before n
// plus at most kInterval - 1 events applied on top.
#include "core/event_store.h"
#include "core/machine_state.h"

#include <vector>

namespace ringside::desktop {

class StateIndex {
public:
  static constexpr std::size_t kInterval = 1024;

  StateIndex() { clear(); }
  /// Applies events the store has and this index has not seen yet.
  void catchUp(const EventStore &store);
  void clear();

  /// The state after the first `applied` events (clamped to what has been indexed).
  MachineState stateAt(const EventStore &store, std::size_t applied) const;
  /// Moves `state` to `applied`, forward by applying events when that is cheaper than
  /// starting from a checkpoint.
  void moveTo(const EventStore &store, MachineState &state, std::size_t applied) const;

  std::size_t indexed() const { return tail_.applied; }

private:
  std::vector<MachineState> checkpoints_; ///< checkpoints_[k] = state after k * kInterval
  MachineState tail_;
};

} // namespace ringside::desktop
