#pragma once
// fuzz_kernel_trace: arbitrary bytes split into lines → parseKernelTrace, which must never
// throw (the kernel prints what it likes).
#include "fuzz_input.h"
#include "kernel_trace_parse.h"

#include <string>
#include <vector>

namespace ringside::fuzz {

inline int fuzzKernelTrace(const uint8_t *data, size_t size) {
  std::vector<std::string> lines(1);
  for (size_t i = 0; i < size; ++i) {
    if (data[i] == '\n')
      lines.emplace_back();
    else
      lines.back().push_back(static_cast<char>(data[i]));
  }
  size_t parsedLines = 0;
  for (const std::string &line : lines)
    if (kvm::parseTraceLine(line))
      ++parsedLines;

  const kvm::KernelTraceParse parse = kvm::parseKernelTrace(lines);
  uint64_t counted = 0;
  for (const auto &[event, count] : parse.linesPerEvent)
    counted += count;
  check(counted <= parsedLines, "more tracepoint lines counted than lines that parse");
  check(parse.malformedLines + parse.unsupportedExits <= counted,
        "more malformed/unsupported kvm_exit lines than tracepoint lines");
  check(parse.events.size() <= parsedLines, "more events than trace lines");
  for (const kvm::KernelTraceEvent &event : parse.events)
    if (const auto *walk = std::get_if<WalkEvent>(&event.body))
      check(walk->stepCount <= walk->steps.size(), "walk with more steps than it can hold");
  return 0;
}

} // namespace ringside::fuzz
