#include "core/state_index.h"

#include <algorithm>

namespace ringside::desktop {

void StateIndex::clear() {
  checkpoints_.assign(1, MachineState{});
  tail_ = MachineState{};
}

void StateIndex::catchUp(const EventStore &store) {
  while (tail_.applied < store.size()) {
    tail_.apply(store.at(tail_.applied));
    if (tail_.applied % kInterval == 0)
      checkpoints_.push_back(tail_);
  }
}

MachineState StateIndex::stateAt(const EventStore &store, std::size_t applied) const {
  applied = std::min<std::size_t>(applied, tail_.applied);
  MachineState state = checkpoints_[applied / kInterval];
  while (state.applied < applied)
    state.apply(store.at(state.applied));
  return state;
}

void StateIndex::moveTo(const EventStore &store, MachineState &state, std::size_t applied) const {
  applied = std::min<std::size_t>(applied, tail_.applied);
  const bool forwardIsCheap =
      applied >= state.applied && applied - state.applied < kInterval &&
      applied / kInterval == state.applied / kInterval; // else a later checkpoint is nearer
  if (!forwardIsCheap) {
    state = stateAt(store, applied);
    return;
  }
  while (state.applied < applied)
    state.apply(store.at(state.applied));
}

} // namespace ringside::desktop
