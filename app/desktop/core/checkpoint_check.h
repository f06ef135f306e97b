#pragma once
// Checks a student's prediction for a lesson checkpoint (docs/lesson-format.md) against the
// recorded trace: the count of matching events, or a field of the first matching event, asked
// through the selector language so names and numbers read the same as in the manifest.
#include "lessons/lesson.h"
#include "trace/events.h"

#include <string>
#include <vector>

namespace ringside::desktop {

struct CheckpointVerdict {
  bool answered = false; ///< the trace has what the checkpoint asks about
  bool correct = false;  ///< the prediction is what the trace says
  std::string traceSays; ///< the count, or the manifest's answer when that is what happened
};

CheckpointVerdict checkPrediction(const lessons::Checkpoint &checkpoint,
                                  const std::vector<Event> &events, const std::string &prediction);

} // namespace ringside::desktop
