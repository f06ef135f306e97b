#pragma once
// Counts over a trace: what the CLI's --json output, the human summary and the grader report.
#include "trace/events.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ringside {

struct TraceSummary {
  std::map<std::string, uint64_t> kinds; ///< event kind → count
  std::map<std::string, uint64_t> exits; ///< exit-reason name → count (the backend's own)
  std::map<std::string, uint64_t> kernelTraceExits; ///< the same, seen by kernel tracepoints
  std::map<unsigned, uint64_t> exceptions;          ///< vector → count
  uint64_t ringChanges = 0;
};

TraceSummary summarize(const std::vector<Event> &events);

/// Accumulates the same counts while events stream by (when the trace does not keep them).
class TraceSummarizer {
public:
  void operator()(const Event &event);
  const TraceSummary &summary() const { return summary_; }

private:
  TraceSummary summary_;
};

} // namespace ringside
