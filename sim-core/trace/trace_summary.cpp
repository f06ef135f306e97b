#include "trace/trace_summary.h"

#include "arch/exit_reasons.h"

namespace ringside {

void TraceSummarizer::operator()(const Event &event) {
  ++summary_.kinds[eventKindName(event.body)];
  if (const auto *exit = std::get_if<ExitEvent>(&event.body)) {
    // Kernel tracepoints see the same exits KVM_RUN reported (and the in-kernel ones): count
    // them apart so no exit is counted twice.
    auto &counts =
        exit->source == EventSource::KernelTrace ? summary_.kernelTraceExits : summary_.exits;
    ++counts[std::string(exitReasonName(exit->reason))];
  } else if (const auto *ex = std::get_if<ExceptionEvent>(&event.body))
    ++summary_.exceptions[ex->vector];
  else if (const auto *ring = std::get_if<RingEvent>(&event.body))
    summary_.ringChanges += ring->from != ring->to;
}

TraceSummary summarize(const std::vector<Event> &events) {
  TraceSummarizer s;
  for (const auto &e : events)
    s(e);
  return s.summary();
}

} // namespace ringside
