#pragma once
// Breakpoints over the recorded trace: playback stops at the first event that matches.
// Written as text in the toolbar:
//   rip:0x7c0d        an event naming this guest RIP (exit, entry, exception, ring, io, hypercall)
//   exit:HLT, exit:12 a VM exit with this reason (name as Linux spells it, or number)
//   exception:#PF, exception:14
//   ring              any change of privilege level
#include "trace/events.h"

#include <cstdint>
#include <optional>
#include <string>

namespace ringside::desktop {

struct Breakpoint {
  enum Kind : uint8_t { Address, ExitReason, Exception, RingChange };
  Kind kind = RingChange;
  uint64_t value = 0;

  bool matches(const Event &event) const;
};

/// Parses the toolbar's text. Returns nullopt and sets `error` (one line) when it is not one of
/// the forms above; empty text gives nullopt with an empty error (no breakpoint).
std::optional<Breakpoint> parseBreakpoint(const std::string &text, std::string &error);

} // namespace ringside::desktop
