#include "core/checkpoint_check.h"

#include "lessons/lesson_check.h"

#include <cstdlib>

namespace ringside::desktop {

namespace {

std::string trimmed(const std::string &s) {
  const auto a = s.find_first_not_of(" \t\r\n");
  if (a == std::string::npos)
    return {};
  return s.substr(a, s.find_last_not_of(" \t\r\n") - a + 1);
}

} // namespace

CheckpointVerdict checkPrediction(const lessons::Checkpoint &c, const std::vector<Event> &events,
                                  const std::string &given) {
  CheckpointVerdict v;
  const std::string prediction = trimmed(given);
  if (c.answerCount || c.answerWalkRefs) {
    const std::optional<uint64_t> answer = lessons::numericAnswer(c, events);
    if (!answer)
      return v;
    const uint64_t count = *answer;
    v.answered = true;
    v.traceSays = std::to_string(count);
    char *end = nullptr;
    const unsigned long long n = std::strtoull(prediction.c_str(), &end, 0);
    v.correct = !prediction.empty() && end && *end == '\0' && n == count;
    return v;
  }
  if (!c.answerEvent)
    return v;
  const size_t at = lessons::findEvent(*c.answerEvent, events);
  if (at == events.size())
    return v;
  v.answered = true;
  const std::string kind = c.answerEvent->text.substr(0, c.answerEvent->text.find('['));
  auto holds = [&](const std::string &value) {
    if (value.empty() || value.find_first_of("[],") != std::string::npos)
      return false; // not a value the selector language can hold
    try {
      return matches(parseEventQuery(kind + "[" + c.answerField + "=" + value + "]"), events[at]);
    } catch (const std::exception &) {
      return false;
    }
  };
  v.correct = holds(prediction);
  v.traceSays = holds(c.answer) ? c.answer : std::string("(something else)");
  return v;
}

} // namespace ringside::desktop
