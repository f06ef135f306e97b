#pragma once
// fuzz_emu_guest: bytes → a flat guest image (first byte: bit 0 picks real or protected entry,
// bit 1 loads at 0x10000 instead of 0x7C00, where the test guests' protected-mode code lives) run
// on the emu backend with a 20 000-instruction budget and a 1 s timeout. Contract: run() returns,
// the trace ends with exactly one stop event, and nothing crashes.
#include "backend/backend.h"
#include "errors.h"
#include "fuzz_input.h"
#include "guest/image_loader.h"

#include <variant>

namespace ringside::fuzz {

inline int fuzzEmuGuest(const uint8_t *data, size_t size) {
  if (size < 2)
    return 0;
  GuestImage image;
  image.path = "fuzz.bin";
  image.entryMode = (data[0] & 1) ? EntryMode::Protected : EntryMode::Real;
  image.entry = (data[0] & 2) ? 0x10000 : kDefaultLoadAddress;
  ImageSegment segment;
  segment.gpa = image.entry;
  segment.bytes.assign(data + 1, data + size);
  segment.memSize = segment.bytes.size();
  image.segments.push_back(std::move(segment));

  RunConfig config;
  config.ramMiB = 2;
  config.maxInstructions = 20000;
  config.timeoutSeconds = 1.0;

  auto backend = createBackend("emu");
  try {
    backend->load(image, config);
  } catch (const InputError &) {
    return 0; // an image too large for RAM is rejected, as documented
  }
  const RunResult result = backend->run();
  const auto &events = backend->trace().events();
  check(!events.empty(), "a run without any event");
  size_t stops = 0;
  for (const Event &event : events)
    stops += std::holds_alternative<StopEvent>(event.body) ? 1 : 0;
  check(stops == 1, "a run with " + std::to_string(stops) + " stop events");
  const auto *last = std::get_if<StopEvent>(&events.back().body);
  check(last != nullptr, "the trace does not end with its stop event");
  check(last->kind == result.stop.kind, "the stop event differs from run()'s result");
  check(result.stop.kind != StopKind::Budget || result.instructions >= config.maxInstructions,
        "a budget stop before the budget was spent");
  return 0;
}

} // namespace ringside::fuzz
