#include "grading/check_eval.h"

#include "util/hex.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fields.h"

#include <algorithm>
#include <array>
#include <regex>

namespace ringside::grading {
namespace {

constexpr std::array kGpr32 = {"eax", "ecx", "edx",  "ebx",  "esp",  "ebp",  "esi",  "edi",
                               "r8d", "r9d", "r10d", "r11d", "r12d", "r13d", "r14d", "r15d"};

/// Text for a message: printable ASCII kept, the rest escaped, at most `limit` characters.
std::string quoted(const std::string &text, size_t limit = 60) {
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n')
      out += "\\n";
    else if (c == '"' || c == '\\')
      out += std::string("\\") + static_cast<char>(c);
    else if (c >= 0x20 && c < 0x7F)
      out += static_cast<char>(c);
    else
      out += "\\x" + hex(c).substr(2);
  }
  out += text.size() > limit ? "\"…" : "\"";
  return out;
}

CheckResult scored(const Check &c, double fraction, std::string message) {
  CheckResult r;
  r.name = c.name;
  r.type = checkTypeName(c.type);
  r.maxPoints = c.points;
  fraction = std::clamp(fraction, 0.0, 1.0);
  r.passed = fraction >= 1.0;
  r.points = c.points * fraction;
  r.message = std::move(message);
  return r;
}

CheckResult pass(const Check &c, std::string message = "ok") {
  return scored(c, 1.0, std::move(message));
}
CheckResult fail(const Check &c, std::string message) { return scored(c, 0.0, std::move(message)); }

CheckResult console(const Check &c, const RunView &run) {
  if (c.exact) {
    if (run.console == *c.exact)
      return pass(c);
    size_t at = 0;
    while (at < run.console.size() && at < c.exact->size() && run.console[at] == (*c.exact)[at])
      ++at;
    return fail(c, "console differs at byte " + std::to_string(at) + ": expected " +
                       quoted(c.exact->substr(at)) + ", got " + quoted(run.console.substr(at)));
  }
  if (c.contains) {
    if (run.console.find(*c.contains) != std::string::npos)
      return pass(c);
    return fail(c,
                "console does not contain " + quoted(*c.contains) + "; got " + quoted(run.console));
  }
  // The spec's regex was checked when the spec was read.
  const std::regex re(*c.regex, std::regex::ECMAScript);
  if (std::regex_search(run.console, re))
    return pass(c);
  return fail(c, "console does not match /" + *c.regex + "/; got " + quoted(run.console));
}

CheckResult stop(const Check &c, const RunView &run) {
  const StopEvent &s = run.result.stop;
  std::string got = std::string(stopKindName(s.kind));
  if (s.kind == StopKind::ExitPort)
    got += " code " + std::to_string(s.code);
  got += " (" + s.message + ")";
  if (c.stopKind && *c.stopKind != s.kind)
    return fail(c, std::string("expected stop ") + stopKindName(*c.stopKind) + ", got " + got);
  if (c.exitCode && (s.kind != StopKind::ExitPort || s.code != *c.exitCode))
    return fail(c, "expected exit code " + std::to_string(*c.exitCode) + ", got " + got);
  return pass(c, "stop: " + got);
}

CheckResult reg(const Check &c, const RunView &run) {
  const uint64_t value = registerValue(run.result.regs, c.reg) & c.mask;
  const uint64_t want = c.value & c.mask;
  const std::string masked = c.mask == ~uint64_t{0} ? "" : " (mask " + hex(c.mask) + ")";
  if (value == want)
    return pass(c, c.reg + " = " + hex(value) + masked);
  return fail(c, c.reg + " = " + hex(value) + ", expected " + hex(want) + masked);
}

CheckResult memory(const Check &c, const RunView &run) {
  const auto &want = c.memory.bytes;
  std::vector<uint8_t> got(want.size());
  if (!run.readMemory || !run.readMemory(c.memory.address, got.data(), got.size()))
    return fail(c, "memory " + hex(c.memory.address) + "+" + std::to_string(want.size()) +
                       " is not guest RAM this backend can read");
  size_t same = 0, firstDiff = want.size();
  for (size_t i = 0; i < want.size(); ++i) {
    if (got[i] == want[i])
      ++same;
    else if (firstDiff == want.size())
      firstDiff = i;
  }
  if (same == want.size())
    return pass(c, std::to_string(want.size()) + " bytes at " + hex(c.memory.address) + " match");
  const std::string why = std::to_string(want.size() - same) + " of " +
                          std::to_string(want.size()) + " bytes differ; first at " +
                          hex(c.memory.address + firstDiff) + ": expected " + hex(want[firstDiff]) +
                          ", got " + hex(got[firstDiff]);
  return scored(c, c.partial ? double(same) / double(want.size()) : 0.0, why);
}

CheckResult count(const Check &c, const RunView &run) {
  const uint64_t n = countMatches(c.query, run.events);
  std::string rule;
  bool ok = true;
  if (c.exactly) {
    ok = n == *c.exactly;
    rule = "exactly " + std::to_string(*c.exactly);
  }
  if (c.atLeast) {
    ok = ok && n >= *c.atLeast;
    rule = "at least " + std::to_string(*c.atLeast);
  }
  if (c.atMost) {
    ok = ok && n <= *c.atMost;
    rule += std::string(rule.empty() ? "" : " and ") + "at most " + std::to_string(*c.atMost);
  }
  std::string message = c.query.text + ": found " + std::to_string(n) + ", expected " + rule;
  if (run.eventsTruncated)
    message += " (the event budget cut the trace short)";
  return ok ? pass(c, message) : fail(c, message);
}

CheckResult sequence(const Check &c, const RunView &run) {
  const size_t matched = matchSequencePrefix(c.sequence, run.events);
  if (matched == c.sequence.size())
    return pass(c, "all " + std::to_string(matched) + " events occurred in order");
  const std::string why = std::to_string(matched) + " of " + std::to_string(c.sequence.size()) +
                          " events occurred in order; then no " + c.sequence[matched].text;
  return scored(c, c.partial ? double(matched) / double(c.sequence.size()) : 0.0, why);
}

CheckResult vmcs(const Check &c, const RunView &run) {
  const std::string name(vmcsFieldName(c.vmcsEncoding));
  if (!run.vmcs)
    return fail(c, "this backend has no modelled VMCS to read " + name + " from");
  const uint64_t value = run.vmcs->get(c.vmcsEncoding) & c.mask;
  const uint64_t want = c.value & c.mask;
  if (value == want)
    return pass(c, name + " = " + hex(value));
  return fail(c, name + " = " + hex(value) + ", expected " + hex(want));
}

} // namespace

uint64_t registerValue(const GuestRegs &r, const std::string &name) {
  for (unsigned i = 0; i < 16; ++i) {
    if (name == gprName(i))
      return r.gpr[i];
    if (name == kGpr32[i])
      return r.gpr[i] & 0xFFFFFFFF;
  }
  if (name == "rip")
    return r.rip;
  if (name == "rflags")
    return r.rflags;
  if (name == "cr0")
    return r.cr0;
  if (name == "cr2")
    return r.cr2;
  if (name == "cr3")
    return r.cr3;
  if (name == "cr4")
    return r.cr4;
  if (name == "efer")
    return r.efer;
  if (name == "cs")
    return r.cs;
  if (name == "ss")
    return r.ss;
  if (name == "cpl")
    return r.cpl;
  return 0;
}

CheckResult evaluateCheck(const Check &check, const RunView &run) {
  switch (check.type) {
  case CheckType::Console:
    return console(check, run);
  case CheckType::Stop:
    return stop(check, run);
  case CheckType::Register:
    return reg(check, run);
  case CheckType::Memory:
    return memory(check, run);
  case CheckType::Count:
  case CheckType::None:
  case CheckType::Ring:
  case CheckType::Walk:
  case CheckType::Hypercall:
    return count(check, run);
  case CheckType::Sequence:
    return sequence(check, run);
  case CheckType::Vmcs:
    return vmcs(check, run);
  }
  return fail(check, "unknown check type");
}

} // namespace ringside::grading
