#pragma once
// fuzz_trace_json: arbitrary bytes as one JSONL line → fromJsonLine. Contract: an Event or
// InputError; an event that parses writes back to a line that reads back to the same line.
#include "errors.h"
#include "fuzz_input.h"
#include "trace/trace_json.h"

#include <string_view>

namespace ringside::fuzz {

inline int fuzzTraceJson(const uint8_t *data, size_t size) {
  const std::string_view line(reinterpret_cast<const char *>(data), size);
  Event event;
  try {
    event = fromJsonLine(line);
  } catch (const InputError &) {
    return 0;
  }
  // The first write may normalise (key order, U+FFFD); after that the form must be stable.
  const std::string first = toJsonLine(event);
  std::string second;
  try {
    second = toJsonLine(fromJsonLine(first));
  } catch (const InputError &e) {
    check(false, std::string("toJsonLine wrote a line fromJsonLine rejects: ") + e.what());
  }
  check(first == second, "JSONL round trip is not stable:\n  " + first + "\n  " + second);
  return 0;
}

} // namespace ringside::fuzz
