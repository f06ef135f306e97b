#include "trace/trace_json.h"

#include "arch/exception_vectors.h"
#include "arch/exit_reasons.h"
#include "errors.h"
#include "vmx/vmcs_fields.h"

#include <array>
#include <cstddef>
#include <fstream>
#include <limits>
#include <utility>

namespace ringside {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr uint8_t kPageFaultVector = 14; // the only exception that sets CR2

const char *direction(bool write, const char *in, const char *out) { return write ? out : in; }

const char *accessName(const WalkEvent &w) {
  // A fetch is never a write, so fetch wins if a producer sets both.
  return w.fetch ? "fetch" : w.write ? "write" : "read";
}

// ---- Writing: one function per kind, fields in the documented order. ----
// ordered_json keeps insertion order, and update() appends new keys in the order given.

void put(ordered_json &j, const ExitEvent &e) {
  j.update({{"reason", e.reason},
            {"reason_name", std::string(exitReasonName(e.reason))},
            {"qualification", e.qualification},
            {"rip", e.rip},
            {"insn_len", e.insnLength},
            {"source", eventSourceName(e.source)}});
  if (e.nested) // only then: traces without nesting read as before
    j["nested"] = true;
}

void put(ordered_json &j, const EntryEvent &e) {
  j.update({{"rip", e.rip}, {"injecting", e.injecting}, {"vector", e.vector}});
  if (e.nested)
    j["nested"] = true;
}

void put(ordered_json &j, const ExceptionEvent &e) {
  j.update({{"vector", e.vector}, {"name", std::string(exceptionName(e.vector))}});
  if (e.hasErrorCode)
    j["error_code"] = e.errorCode;
  j["rip"] = e.rip;
  if (e.vector == kPageFaultVector)
    j["cr2"] = e.cr2;
  j["software"] = e.software;
}

void put(ordered_json &j, const RingEvent &e) {
  j.update({{"from", e.from},
            {"to", e.to},
            {"cause", ringCauseName(e.cause)},
            {"rip", e.rip},
            {"source", eventSourceName(e.source)}});
}

void put(ordered_json &j, const IoEvent &e) {
  j.update({{"port", e.port},
            {"size", e.size},
            {"direction", direction(e.write, "in", "out")},
            {"value", e.value},
            {"count", e.count},
            {"rip", e.rip},
            {"source", eventSourceName(e.source)}});
}

void put(ordered_json &j, const MmioEvent &e) {
  j.update({{"gpa", e.gpa},
            {"size", e.size},
            {"direction", direction(e.write, "read", "write")},
            {"value", e.value},
            {"device", e.device},
            {"source", eventSourceName(e.source)}});
}

void put(ordered_json &j, const HypercallEvent &e) {
  j.update({{"nr", e.nr}, {"args", e.args}, {"result", e.result}, {"rip", e.rip}});
}

void put(ordered_json &j, const WalkEvent &e) {
  auto steps = ordered_json::array();
  for (size_t i = 0; i < e.stepCount && i < e.steps.size(); ++i) {
    const auto &s = e.steps[i];
    steps.push_back(
        {{"level", s.level}, {"table", s.tableAddr}, {"index", s.index}, {"entry", s.entry}});
  }
  j.update({{"gva", e.gva},
            {"mode", walkModeName(e.mode)},
            {"purpose", walkPurposeName(e.purpose)},
            {"access", accessName(e)},
            {"user", e.user},
            {"steps", std::move(steps)},
            {"ok", e.ok}});
  if (e.ok)
    j.update({{"gpa", e.gpa}, {"page_size", e.pageSize}});
  else
    j["error_code"] = e.faultCode;
  j["memory_refs"] = e.memoryRefs;
  j["source"] = eventSourceName(e.source);
  // Written only when set, so traces without 2-D walks stay as they were.
  if (e.walkId)
    j["walk_id"] = e.walkId;
  if (e.exitReason)
    j["exit_reason"] = e.exitReason;
}

void put(ordered_json &j, const TlbEvent &e) {
  j.update({{"op", tlbOpName(e.op)}, {"va", e.va}, {"pa", e.pa}, {"page_size", e.pageSize}});
  if (e.vpid)
    j["vpid"] = e.vpid;
  if (e.cause != TlbCause::None)
    j["cause"] = tlbCauseName(e.cause);
  if (e.pteChanged)
    j["pte_changed"] = true;
}

void put(ordered_json &j, const ConsoleEvent &e) { j.update({{"port", e.port}, {"text", e.text}}); }

void put(ordered_json &j, const VmcsEvent &e) {
  // The name is for people reading the file; readers go by the encoding.
  j.update({{"encoding", e.encoding},
            {"field", std::string(vmcsFieldName(e.encoding))},
            {"old", e.oldValue},
            {"new", e.newValue}});
  if (e.region != kVmmVmcs)
    j["region"] = e.region;
}

void put(ordered_json &j, const VmxInsnEvent &e) {
  j.update({{"insn", e.insn},
            {"status", e.status},
            {"error", e.error},
            {"operand", e.operand},
            {"value", e.value},
            {"rip", e.rip}});
  if (!e.why.empty())
    j["why"] = e.why;
}

void put(ordered_json &j, const TrapEvent &e) {
  j.update({{"insn", e.insn}, {"rip", e.rip}, {"via", e.via}});
}

void put(ordered_json &j, const LeakEvent &e) {
  j.update({{"insn", e.insn},
            {"rip", e.rip},
            {"what", e.what},
            {"expected", e.expected},
            {"seen", e.seen}});
}

void put(ordered_json &j, const TranslateEvent &e) {
  j.update({{"addr", e.addr}, {"hit", e.hit}, {"insns", e.insns}, {"rewritten", e.rewritten}});
  // The text comes with the miss that translated the block; hits only name it.
  if (!e.hit)
    j.update({{"original", e.original},
              {"translated", e.translated},
              {"rewritten_insns", e.rewrittenInsns}});
  if (e.ret)
    j["ret"] = true;
}

void put(ordered_json &j, const StopEvent &e) {
  j.update({{"reason", stopKindName(e.kind)}, {"code", e.code}, {"message", e.message}});
}

void put(ordered_json &j, const ContainerEvent &e) {
  j.update(
      {{"what", e.what}, {"name", e.name}, {"value", e.value}, {"pid", e.pid}, {"from", e.from}});
  if (!e.detail.empty())
    j["detail"] = e.detail;
}

// ---- Reading: a checked accessor that names the field in every error. ----

// Parsed text gives non-negative integers as unsigned, but a json built in code may hold them
// as signed.
bool isUnsigned(const json &v) {
  return v.is_number_unsigned() || (v.is_number_integer() && v.get<int64_t>() >= 0);
}

class Reader {
public:
  Reader(const json &object, std::string_view kind) : j_(object), kind_(kind) {}

  bool has(const char *field) const { return j_.contains(field); }

  template <typename T> T u(const char *field) const {
    const json &v = at(field);
    if (!isUnsigned(v))
      bad(field, "an unsigned integer");
    auto n = v.get<uint64_t>();
    if (n > std::numeric_limits<T>::max())
      bad(field, "an unsigned integer of at most " +
                     std::to_string(uint64_t{std::numeric_limits<T>::max()}));
    return static_cast<T>(n);
  }

  int64_t i64(const char *field) const {
    const json &v = at(field);
    constexpr auto kMax = uint64_t{std::numeric_limits<int64_t>::max()};
    if (!v.is_number_integer() || (v.is_number_unsigned() && v.get<uint64_t>() > kMax))
      bad(field, "a signed 64-bit integer");
    return v.get<int64_t>();
  }

  bool flag(const char *field) const {
    const json &v = at(field);
    if (!v.is_boolean())
      bad(field, "true or false");
    return v.get<bool>();
  }

  std::string str(const char *field) const {
    const json &v = at(field);
    if (!v.is_string())
      bad(field, "a string");
    return v.get<std::string>();
  }

  /// A two-valued string field: true for `yes`, false for `no`.
  bool choice(const char *field, const char *no, const char *yes) const {
    auto s = str(field);
    if (s != no && s != yes)
      bad(field, std::string("\"") + no + "\" or \"" + yes + "\"");
    return s == yes;
  }

  /// An enum field, matched against the enum's name function (tables end with "?").
  template <typename Enum> Enum named(const char *field, const char *(*nameOf)(Enum)) const {
    auto s = str(field);
    for (unsigned i = 0; i <= std::numeric_limits<uint8_t>::max(); ++i) {
      std::string_view name = nameOf(static_cast<Enum>(i));
      if (name == "?")
        break;
      if (name == s)
        return static_cast<Enum>(i);
    }
    bad(field, "a known name, not \"" + s + "\"");
  }

  const json &array(const char *field) const {
    const json &v = at(field);
    if (!v.is_array())
      bad(field, "an array");
    return v;
  }

  [[noreturn]] void bad(const char *field, const std::string &expected) const {
    throw InputError(prefix() + "bad field \"" + field + "\" (expected " + expected + ")");
  }

private:
  const json &at(const char *field) const {
    auto it = j_.find(field);
    if (it == j_.end())
      throw InputError(prefix() + "missing field \"" + field + "\"");
    return *it;
  }

  std::string prefix() const {
    return "trace event" + (kind_.empty() ? std::string() : " (" + std::string(kind_) + ")") + ": ";
  }

  const json &j_;
  std::string_view kind_;
};

// "source" is optional when reading, so traces written before it existed still load.
EventSource readSource(const Reader &r) {
  return r.has("source") ? r.named("source", eventSourceName) : EventSource::Model;
}

void get(const Reader &r, ExitEvent &e) {
  e.reason = r.u<uint16_t>("reason");
  e.qualification = r.u<uint64_t>("qualification");
  e.rip = r.u<uint64_t>("rip");
  e.insnLength = r.u<uint8_t>("insn_len");
  e.source = readSource(r);
  e.nested = r.has("nested") && r.flag("nested");
}

void get(const Reader &r, EntryEvent &e) {
  e.rip = r.u<uint64_t>("rip");
  e.injecting = r.flag("injecting");
  e.vector = r.u<uint8_t>("vector");
  e.nested = r.has("nested") && r.flag("nested");
}

void get(const Reader &r, ExceptionEvent &e) {
  e.vector = r.u<uint8_t>("vector");
  e.hasErrorCode = r.has("error_code");
  if (e.hasErrorCode)
    e.errorCode = r.u<uint32_t>("error_code");
  e.rip = r.u<uint64_t>("rip");
  if (e.vector == kPageFaultVector)
    e.cr2 = r.u<uint64_t>("cr2");
  e.software = r.flag("software");
}

void get(const Reader &r, RingEvent &e) {
  e.from = r.u<uint8_t>("from");
  e.to = r.u<uint8_t>("to");
  e.cause = r.named("cause", ringCauseName);
  e.rip = r.u<uint64_t>("rip");
  e.source = readSource(r);
}

void get(const Reader &r, IoEvent &e) {
  e.port = r.u<uint16_t>("port");
  e.size = r.u<uint8_t>("size");
  e.write = r.choice("direction", "in", "out");
  e.value = r.u<uint32_t>("value");
  e.count = r.u<uint32_t>("count");
  e.rip = r.u<uint64_t>("rip");
  e.source = readSource(r);
}

void get(const Reader &r, MmioEvent &e) {
  e.gpa = r.u<uint64_t>("gpa");
  e.size = r.u<uint8_t>("size");
  e.write = r.choice("direction", "read", "write");
  e.value = r.u<uint64_t>("value");
  e.device = r.u<uint8_t>("device");
  e.source = readSource(r);
}

void get(const Reader &r, HypercallEvent &e) {
  e.nr = r.u<uint64_t>("nr");
  const json &args = r.array("args");
  if (args.size() != e.args.size())
    r.bad("args", "an array of " + std::to_string(e.args.size()) + " unsigned integers");
  for (size_t i = 0; i < args.size(); ++i) {
    if (!isUnsigned(args[i]))
      r.bad("args", "an array of unsigned integers");
    e.args[i] = args[i].get<uint64_t>();
  }
  e.result = r.u<uint64_t>("result");
  e.rip = r.u<uint64_t>("rip");
}

void get(const Reader &r, WalkEvent &e) {
  e.gva = r.u<uint64_t>("gva");
  e.mode = r.named("mode", walkModeName);
  e.purpose = r.named("purpose", walkPurposeName);
  auto access = r.str("access");
  if (access != "read" && access != "write" && access != "fetch")
    r.bad("access", "\"read\", \"write\" or \"fetch\"");
  e.write = access == "write";
  e.fetch = access == "fetch";
  e.user = r.flag("user");
  const json &steps = r.array("steps");
  if (steps.size() > e.steps.size())
    r.bad("steps", "at most " + std::to_string(e.steps.size()) + " steps");
  e.stepCount = static_cast<uint8_t>(steps.size());
  for (size_t i = 0; i < steps.size(); ++i) {
    if (!steps[i].is_object())
      r.bad("steps", "an array of objects");
    Reader step(steps[i], "walk step");
    e.steps[i] = WalkStep{step.u<uint8_t>("level"), step.u<uint64_t>("table"),
                          step.u<uint16_t>("index"), step.u<uint64_t>("entry")};
  }
  e.ok = r.flag("ok");
  if (e.ok) {
    e.gpa = r.u<uint64_t>("gpa");
    e.pageSize = r.u<uint64_t>("page_size");
  } else {
    e.faultCode = r.u<uint32_t>("error_code");
  }
  e.memoryRefs = r.u<uint8_t>("memory_refs");
  e.source = readSource(r);
  e.walkId = r.has("walk_id") ? r.u<uint32_t>("walk_id") : 0;
  e.exitReason = r.has("exit_reason") ? r.u<uint16_t>("exit_reason") : 0;
}

void get(const Reader &r, TlbEvent &e) {
  e.op = r.named("op", tlbOpName);
  e.va = r.u<uint64_t>("va");
  e.pa = r.u<uint64_t>("pa");
  e.pageSize = r.u<uint64_t>("page_size");
  e.vpid = r.has("vpid") ? r.u<uint16_t>("vpid") : 0;
  e.cause = r.has("cause") ? r.named("cause", tlbCauseName) : TlbCause::None;
  e.pteChanged = r.has("pte_changed") && r.flag("pte_changed");
}

void get(const Reader &r, ConsoleEvent &e) {
  e.port = r.u<uint16_t>("port");
  e.text = r.str("text");
}

void get(const Reader &r, VmcsEvent &e) {
  e.encoding = r.u<uint32_t>("encoding");
  e.oldValue = r.u<uint64_t>("old");
  e.newValue = r.u<uint64_t>("new");
  e.region = r.has("region") ? r.u<uint64_t>("region") : kVmmVmcs;
}

void get(const Reader &r, VmxInsnEvent &e) {
  e.insn = r.str("insn");
  e.status = r.str("status");
  e.error = r.u<uint32_t>("error");
  e.operand = r.u<uint64_t>("operand");
  e.value = r.u<uint64_t>("value");
  e.rip = r.u<uint64_t>("rip");
  e.why = r.has("why") ? r.str("why") : std::string();
}

void get(const Reader &r, TrapEvent &e) {
  e.insn = r.str("insn");
  e.rip = r.u<uint64_t>("rip");
  e.via = r.str("via");
}

void get(const Reader &r, LeakEvent &e) {
  e.insn = r.str("insn");
  e.rip = r.u<uint64_t>("rip");
  e.what = r.str("what");
  e.expected = r.u<uint64_t>("expected");
  e.seen = r.u<uint64_t>("seen");
}

void get(const Reader &r, TranslateEvent &e) {
  e.addr = r.u<uint64_t>("addr");
  e.hit = r.flag("hit");
  e.insns = r.u<uint32_t>("insns");
  e.rewritten = r.u<uint32_t>("rewritten");
  if (!e.hit) {
    e.original = r.str("original");
    e.translated = r.str("translated");
    e.rewrittenInsns = r.str("rewritten_insns");
  }
  e.ret = r.has("ret") && r.flag("ret");
}

void get(const Reader &r, StopEvent &e) {
  e.kind = r.named("reason", stopKindName);
  e.code = r.i64("code");
  e.message = r.str("message");
}

void get(const Reader &r, ContainerEvent &e) {
  e.what = r.str("what");
  e.name = r.str("name");
  e.value = r.i64("value");
  e.pid = r.u<uint32_t>("pid");
  e.from = r.str("from");
  e.detail = r.has("detail") ? r.str("detail") : std::string();
}

// One default-constructed body per variant alternative, so "kind" strings come from
// eventKindName alone.
template <size_t... I> auto makeBodies(std::index_sequence<I...>) {
  return std::array<EventBody, sizeof...(I)>{EventBody(std::in_place_index<I>)...};
}

EventBody bodyForKind(const Reader &r) {
  static const auto kBodies =
      makeBodies(std::make_index_sequence<std::variant_size_v<EventBody>>());
  auto kind = r.str("kind");
  for (const auto &body : kBodies)
    if (kind == eventKindName(body))
      return body;
  r.bad("kind", "a known event kind, not \"" + kind + "\"");
}

} // namespace

nlohmann::ordered_json toJson(const Event &event) {
  ordered_json j;
  j["seq"] = event.seq;
  j["icount"] = event.instructions;
  j["kind"] = eventKindName(event.body);
  std::visit([&](const auto &body) { put(j, body); }, event.body);
  return j;
}

std::string toJsonLine(const Event &event) {
  // Guest console bytes need not be UTF-8; replacing beats throwing mid-run.
  return toJson(event).dump(-1, ' ', false, ordered_json::error_handler_t::replace);
}

Event fromJson(const nlohmann::json &object) {
  if (!object.is_object())
    throw InputError("trace event: expected a JSON object");
  Reader top(object, "");
  Event event;
  event.seq = top.u<uint64_t>("seq");
  event.instructions = top.u<uint64_t>("icount");
  event.body = bodyForKind(top);
  Reader r(object, eventKindName(event.body));
  std::visit([&](auto &body) { get(r, body); }, event.body);
  return event;
}

Event fromJsonLine(std::string_view line) {
  auto object = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded())
    throw InputError("trace event: not valid JSON");
  return fromJson(object);
}

std::vector<Event> readJsonl(const std::filesystem::path &path) {
  std::ifstream in(path);
  if (!in)
    throw InputError("cannot open trace file " + path.string());
  std::vector<Event> events;
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos)
      continue;
    try {
      events.push_back(fromJsonLine(line));
    } catch (const InputError &e) {
      throw InputError(path.string() + ":" + std::to_string(number) + ": " + e.what());
    }
  }
  return events;
}

struct JsonlWriter::File {
  std::filesystem::path path;
  std::ofstream out;
  ~File() { out.flush(); }
};

JsonlWriter::JsonlWriter(const std::filesystem::path &path) : file_(std::make_shared<File>()) {
  file_->path = path;
  file_->out.open(path, std::ios::binary | std::ios::trunc);
  if (!file_->out)
    throw InputError("cannot open trace file " + path.string() + " for writing");
}

void JsonlWriter::operator()(const Event &event) {
  file_->out << toJsonLine(event) << '\n';
  // A stop is the last event of a run: make the file complete for whoever reads it next.
  if (std::holds_alternative<StopEvent>(event.body))
    file_->out.flush();
  if (!file_->out)
    throw InputError("cannot write trace file " + file_->path.string());
}

void JsonlWriter::flush() { file_->out.flush(); }

const std::filesystem::path &JsonlWriter::path() const { return file_->path; }

} // namespace ringside
