#include "core/breakpoint.h"

#include "arch/exception_vectors.h"
#include "arch/exit_reasons.h"
#include "errors.h"
#include "guest/image_loader.h"

#include <cctype>

namespace ringside::desktop {

namespace {

/// The guest RIP an event names, for the kinds that name one.
struct RipOf {
  std::optional<uint64_t> operator()(const ExitEvent &e) const { return e.rip; }
  std::optional<uint64_t> operator()(const EntryEvent &e) const { return e.rip; }
  std::optional<uint64_t> operator()(const ExceptionEvent &e) const { return e.rip; }
  std::optional<uint64_t> operator()(const RingEvent &e) const { return e.rip; }
  std::optional<uint64_t> operator()(const IoEvent &e) const { return e.rip; }
  std::optional<uint64_t> operator()(const HypercallEvent &e) const { return e.rip; }
  std::optional<uint64_t> operator()(const VmxInsnEvent &e) const { return e.rip; }
  std::optional<uint64_t> operator()(const TrapEvent &e) const { return e.rip; }
  std::optional<uint64_t> operator()(const LeakEvent &e) const { return e.rip; }
  template <typename T> std::optional<uint64_t> operator()(const T &) const { return std::nullopt; }
};

std::optional<uint64_t> ripOf(const Event &event) { return std::visit(RipOf{}, event.body); }

std::string trimmed(const std::string &text) {
  std::size_t a = 0, b = text.size();
  while (a < b && std::isspace(static_cast<unsigned char>(text[a])))
    ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(text[b - 1])))
    --b;
  return text.substr(a, b - a);
}

} // namespace

bool Breakpoint::matches(const Event &event) const {
  switch (kind) {
  case Address:
    return ripOf(event) == value;
  case ExitReason: {
    const auto *e = std::get_if<ExitEvent>(&event.body);
    return e && e->reason == value;
  }
  case Exception: {
    const auto *e = std::get_if<ExceptionEvent>(&event.body);
    return e && e->vector == value;
  }
  case RingChange: {
    const auto *e = std::get_if<RingEvent>(&event.body);
    return e && e->cause != RingCause::Start && e->from != e->to;
  }
  }
  return false;
}

std::optional<Breakpoint> parseBreakpoint(const std::string &raw, std::string &error) {
  error.clear();
  const std::string text = trimmed(raw);
  if (text.empty())
    return std::nullopt;
  if (text == "ring")
    return Breakpoint{Breakpoint::RingChange, 0};
  const auto colon = text.find(':');
  const std::string key = text.substr(0, colon == std::string::npos ? text.size() : colon);
  const std::string arg = colon == std::string::npos ? "" : trimmed(text.substr(colon + 1));
  try {
    if (key == "rip" && !arg.empty())
      return Breakpoint{Breakpoint::Address, parseAddress(arg)};
    if (key == "exit" && !arg.empty()) {
      if (std::isdigit(static_cast<unsigned char>(arg[0])))
        return Breakpoint{Breakpoint::ExitReason, parseAddress(arg)};
      if (const auto n = exitReasonByName(arg))
        return Breakpoint{Breakpoint::ExitReason, *n};
      error = "unknown exit reason '" + arg + "' (e.g. HLT, IO_INSTRUCTION, 30)";
      return std::nullopt;
    }
    if (key == "exception" && !arg.empty()) {
      if (std::isdigit(static_cast<unsigned char>(arg[0])))
        return Breakpoint{Breakpoint::Exception, parseAddress(arg)};
      for (const auto &v : exceptionVectors())
        if (v.mnemonic == arg)
          return Breakpoint{Breakpoint::Exception, v.vector};
      error = "unknown exception '" + arg + "' (e.g. #PF, #GP, 14)";
      return std::nullopt;
    }
  } catch (const InputError &e) {
    error = e.what();
    return std::nullopt;
  }
  error = "'" + text + "': expected rip:ADDRESS, exit:REASON, exception:VECTOR or ring";
  return std::nullopt;
}

} // namespace ringside::desktop
