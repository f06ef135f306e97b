#pragma once
// Runs a lesson's guests and checks the lesson against what really happened: each step's
// run_to event occurs, each checkpoint's answer is what the trace says, each expectation holds.
// `ringside lessons --check` and the test suite run this on every lesson.
#include "backend/backend.h"
#include "lessons/lesson.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ringside::lessons {

struct GuestOutcome {
  RunResult result;
  std::vector<Event> events;
  std::string console;
  std::string backend; ///< the backend that ran it
  std::string skipped; ///< why it did not run here (e.g. kvm not usable), else empty
};

/// Runs one guest as the manifest says. Throws InputError for a guest that does not load.
GuestOutcome runLessonGuest(const LessonGuest &guest);

/// The first event (index) matching `q`, at or after `from`; events.size() when none.
size_t findEvent(const EventQuery &q, const std::vector<Event> &events, size_t from = 0);

/// The memory references of the walk `first` belongs to: the sum of `refs` over the walk events
/// sharing its walk_id (a 2-D walk: its EPT walks and the guest walk), or its own refs when it
/// stands alone (walk_id 0). `first` must index a walk event.
uint64_t walkRefs(const std::vector<Event> &events, size_t first);

/// A numeric checkpoint answer (answer_count, answer_walk_refs) as the trace gives it; nullopt
/// for an answer_field checkpoint or when the trace has no matching walk.
std::optional<uint64_t> numericAnswer(const Checkpoint &c, const std::vector<Event> &events);

/// A checkpoint's answer as the trace gives it ("" when the trace has no such event).
std::string traceAnswer(const Checkpoint &c, const std::vector<Event> &events);

struct LessonProblem {
  std::string where; ///< file and field
  std::string what;
};

struct LessonReport {
  const Lesson *lesson = nullptr;
  std::map<std::string, GuestOutcome> runs; ///< by guest name
  std::vector<LessonProblem> problems;
  std::vector<std::string> skips; ///< checks not made here, and why
  bool ok() const { return problems.empty(); }
};

LessonReport checkLesson(const Lesson &lesson);

} // namespace ringside::lessons
