#include "grading/event_query.h"

#include "arch/exception_vectors.h"
#include "arch/exit_reasons.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "vmx/vmcs_fields.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>

namespace ringside {
namespace {

using Value = std::variant<uint64_t, std::string>;

/// How a name written in a selector becomes a number for a numeric field.
enum class Names : uint8_t { None, Bool, ExitReason, Exception, VmcsField };

struct FieldDef {
  const char *name;
  Value (*get)(const EventBody &);
  Names names = Names::None;
};

template <typename T> const T &as(const EventBody &b) { return std::get<T>(b); }
Value text(const char *s) { return std::string(s); }

// One table per kind, in EventBody order: the facts live here, not in switches.
const std::vector<FieldDef> kExit = {
    {"reason", [](const EventBody &b) -> Value { return as<ExitEvent>(b).reason; },
     Names::ExitReason},
    {"qual", [](const EventBody &b) -> Value { return as<ExitEvent>(b).qualification; }},
    {"rip", [](const EventBody &b) -> Value { return as<ExitEvent>(b).rip; }},
    {"len", [](const EventBody &b) -> Value { return as<ExitEvent>(b).insnLength; }},
    {"source", [](const EventBody &b) { return text(eventSourceName(as<ExitEvent>(b).source)); }},
    {"nested", [](const EventBody &b) -> Value { return as<ExitEvent>(b).nested; }, Names::Bool},
};
const std::vector<FieldDef> kEntry = {
    {"rip", [](const EventBody &b) -> Value { return as<EntryEvent>(b).rip; }},
    {"injecting", [](const EventBody &b) -> Value { return as<EntryEvent>(b).injecting; },
     Names::Bool},
    {"vector", [](const EventBody &b) -> Value { return as<EntryEvent>(b).vector; },
     Names::Exception},
    {"nested", [](const EventBody &b) -> Value { return as<EntryEvent>(b).nested; }, Names::Bool},
};
const std::vector<FieldDef> kException = {
    {"vector", [](const EventBody &b) -> Value { return as<ExceptionEvent>(b).vector; },
     Names::Exception},
    {"error", [](const EventBody &b) -> Value { return as<ExceptionEvent>(b).errorCode; }},
    {"has_error", [](const EventBody &b) -> Value { return as<ExceptionEvent>(b).hasErrorCode; },
     Names::Bool},
    {"rip", [](const EventBody &b) -> Value { return as<ExceptionEvent>(b).rip; }},
    {"cr2", [](const EventBody &b) -> Value { return as<ExceptionEvent>(b).cr2; }},
    {"software", [](const EventBody &b) -> Value { return as<ExceptionEvent>(b).software; },
     Names::Bool},
};
const std::vector<FieldDef> kRing = {
    {"from", [](const EventBody &b) -> Value { return as<RingEvent>(b).from; }},
    {"to", [](const EventBody &b) -> Value { return as<RingEvent>(b).to; }},
    {"cause", [](const EventBody &b) { return text(ringCauseName(as<RingEvent>(b).cause)); }},
    {"rip", [](const EventBody &b) -> Value { return as<RingEvent>(b).rip; }},
    {"source", [](const EventBody &b) { return text(eventSourceName(as<RingEvent>(b).source)); }},
};
const std::vector<FieldDef> kIo = {
    {"port", [](const EventBody &b) -> Value { return as<IoEvent>(b).port; }},
    {"size", [](const EventBody &b) -> Value { return as<IoEvent>(b).size; }},
    {"write", [](const EventBody &b) -> Value { return as<IoEvent>(b).write; }, Names::Bool},
    {"value", [](const EventBody &b) -> Value { return as<IoEvent>(b).value; }},
    {"count", [](const EventBody &b) -> Value { return as<IoEvent>(b).count; }},
    {"rip", [](const EventBody &b) -> Value { return as<IoEvent>(b).rip; }},
};
const std::vector<FieldDef> kMmio = {
    {"gpa", [](const EventBody &b) -> Value { return as<MmioEvent>(b).gpa; }},
    {"size", [](const EventBody &b) -> Value { return as<MmioEvent>(b).size; }},
    {"write", [](const EventBody &b) -> Value { return as<MmioEvent>(b).write; }, Names::Bool},
    {"value", [](const EventBody &b) -> Value { return as<MmioEvent>(b).value; }},
    {"device", [](const EventBody &b) -> Value { return as<MmioEvent>(b).device; }},
};
const std::vector<FieldDef> kHypercall = {
    {"nr", [](const EventBody &b) -> Value { return as<HypercallEvent>(b).nr; }},
    {"arg0", [](const EventBody &b) -> Value { return as<HypercallEvent>(b).args[0]; }},
    {"arg1", [](const EventBody &b) -> Value { return as<HypercallEvent>(b).args[1]; }},
    {"arg2", [](const EventBody &b) -> Value { return as<HypercallEvent>(b).args[2]; }},
    {"arg3", [](const EventBody &b) -> Value { return as<HypercallEvent>(b).args[3]; }},
    {"result", [](const EventBody &b) -> Value { return as<HypercallEvent>(b).result; }},
    {"rip", [](const EventBody &b) -> Value { return as<HypercallEvent>(b).rip; }},
};
const std::vector<FieldDef> kWalk = {
    {"gva", [](const EventBody &b) -> Value { return as<WalkEvent>(b).gva; }},
    {"gpa", [](const EventBody &b) -> Value { return as<WalkEvent>(b).gpa; }},
    {"ok", [](const EventBody &b) -> Value { return as<WalkEvent>(b).ok; }, Names::Bool},
    {"refs", [](const EventBody &b) -> Value { return as<WalkEvent>(b).memoryRefs; }},
    {"steps", [](const EventBody &b) -> Value { return as<WalkEvent>(b).stepCount; }},
    {"walk_id", [](const EventBody &b) -> Value { return as<WalkEvent>(b).walkId; }},
    {"exit_reason", [](const EventBody &b) -> Value { return as<WalkEvent>(b).exitReason; }},
    {"page_size", [](const EventBody &b) -> Value { return as<WalkEvent>(b).pageSize; }},
    {"fault", [](const EventBody &b) -> Value { return as<WalkEvent>(b).faultCode; }},
    {"write", [](const EventBody &b) -> Value { return as<WalkEvent>(b).write; }, Names::Bool},
    {"user", [](const EventBody &b) -> Value { return as<WalkEvent>(b).user; }, Names::Bool},
    {"fetch", [](const EventBody &b) -> Value { return as<WalkEvent>(b).fetch; }, Names::Bool},
    {"mode", [](const EventBody &b) { return text(walkModeName(as<WalkEvent>(b).mode)); }},
    {"purpose", [](const EventBody &b) { return text(walkPurposeName(as<WalkEvent>(b).purpose)); }},
    {"source", [](const EventBody &b) { return text(eventSourceName(as<WalkEvent>(b).source)); }},
};
const std::vector<FieldDef> kTlb = {
    {"op", [](const EventBody &b) { return text(tlbOpName(as<TlbEvent>(b).op)); }},
    {"va", [](const EventBody &b) -> Value { return as<TlbEvent>(b).va; }},
    {"pa", [](const EventBody &b) -> Value { return as<TlbEvent>(b).pa; }},
    {"page_size", [](const EventBody &b) -> Value { return as<TlbEvent>(b).pageSize; }},
    {"vpid", [](const EventBody &b) -> Value { return as<TlbEvent>(b).vpid; }},
    {"cause", [](const EventBody &b) { return text(tlbCauseName(as<TlbEvent>(b).cause)); }},
    {"pte_changed", [](const EventBody &b) -> Value { return as<TlbEvent>(b).pteChanged; },
     Names::Bool},
};
const std::vector<FieldDef> kConsole = {
    {"port", [](const EventBody &b) -> Value { return as<ConsoleEvent>(b).port; }},
    {"text", [](const EventBody &b) -> Value { return as<ConsoleEvent>(b).text; }},
};
const std::vector<FieldDef> kVmcs = {
    {"field", [](const EventBody &b) -> Value { return as<VmcsEvent>(b).encoding; },
     Names::VmcsField},
    {"old", [](const EventBody &b) -> Value { return as<VmcsEvent>(b).oldValue; }},
    {"new", [](const EventBody &b) -> Value { return as<VmcsEvent>(b).newValue; }},
    {"region", [](const EventBody &b) -> Value { return as<VmcsEvent>(b).region; }},
};
const std::vector<FieldDef> kStop = {
    {"kind", [](const EventBody &b) { return text(stopKindName(as<StopEvent>(b).kind)); }},
    {"code",
     [](const EventBody &b) -> Value { return static_cast<uint64_t>(as<StopEvent>(b).code); }},
};

const std::vector<FieldDef> kVmx = {
    {"insn", [](const EventBody &b) -> Value { return as<VmxInsnEvent>(b).insn; }},
    {"status", [](const EventBody &b) -> Value { return as<VmxInsnEvent>(b).status; }},
    {"error", [](const EventBody &b) -> Value { return as<VmxInsnEvent>(b).error; }},
    {"operand", [](const EventBody &b) -> Value { return as<VmxInsnEvent>(b).operand; }},
    {"value", [](const EventBody &b) -> Value { return as<VmxInsnEvent>(b).value; }},
    {"rip", [](const EventBody &b) -> Value { return as<VmxInsnEvent>(b).rip; }},
};

const std::vector<FieldDef> kContainer = {
    {"what", [](const EventBody &b) -> Value { return as<ContainerEvent>(b).what; }},
    {"name", [](const EventBody &b) -> Value { return as<ContainerEvent>(b).name; }},
    {"value",
     [](const EventBody &b) -> Value {
       return static_cast<uint64_t>(as<ContainerEvent>(b).value);
     }},
    {"detail", [](const EventBody &b) -> Value { return as<ContainerEvent>(b).detail; }},
    {"pid", [](const EventBody &b) -> Value { return as<ContainerEvent>(b).pid; }},
    {"from", [](const EventBody &b) -> Value { return as<ContainerEvent>(b).from; }},
};

// The first word of an instruction's text: "lgdt" of "lgdt [0x10040]".
std::string firstWord(const std::string &insn) { return insn.substr(0, insn.find(' ')); }

const std::vector<FieldDef> kTrap = {
    {"insn", [](const EventBody &b) -> Value { return as<TrapEvent>(b).insn; }},
    {"mnemonic", [](const EventBody &b) -> Value { return firstWord(as<TrapEvent>(b).insn); }},
    {"rip", [](const EventBody &b) -> Value { return as<TrapEvent>(b).rip; }},
    {"via", [](const EventBody &b) -> Value { return as<TrapEvent>(b).via; }},
};

const std::vector<FieldDef> kLeak = {
    {"insn", [](const EventBody &b) -> Value { return as<LeakEvent>(b).insn; }},
    {"mnemonic", [](const EventBody &b) -> Value { return firstWord(as<LeakEvent>(b).insn); }},
    {"rip", [](const EventBody &b) -> Value { return as<LeakEvent>(b).rip; }},
    {"what", [](const EventBody &b) -> Value { return as<LeakEvent>(b).what; }},
    {"expected", [](const EventBody &b) -> Value { return as<LeakEvent>(b).expected; }},
    {"seen", [](const EventBody &b) -> Value { return as<LeakEvent>(b).seen; }},
};

const std::vector<FieldDef> kTranslate = {
    {"addr", [](const EventBody &b) -> Value { return as<TranslateEvent>(b).addr; }},
    {"hit", [](const EventBody &b) -> Value { return as<TranslateEvent>(b).hit; }, Names::Bool},
    {"insns", [](const EventBody &b) -> Value { return as<TranslateEvent>(b).insns; }},
    {"rewritten", [](const EventBody &b) -> Value { return as<TranslateEvent>(b).rewritten; }},
    {"ret", [](const EventBody &b) -> Value { return as<TranslateEvent>(b).ret; }, Names::Bool},
};

const std::array<const std::vector<FieldDef> *, 17> kFields = {
    &kExit,    &kEntry, &kException, &kRing, &kIo,        &kMmio, &kHypercall, &kWalk,     &kTlb,
    &kConsole, &kVmcs,  &kStop,      &kVmx,  &kContainer, &kTrap, &kLeak,      &kTranslate};
static_assert(kFields.size() == std::variant_size_v<EventBody>, "every kind needs its fields");

// The trace format's JSON names (docs/trace-format.md) work as well as the short ones.
constexpr std::array<std::pair<std::string_view, std::string_view>, 5> kAliases = {{
    {"qualification", "qual"},
    {"reason_name", "reason"},
    {"insn_len", "len"},
    {"memory_refs", "refs"},
    {"error_code", "error"},
}};

const FieldDef *findField(int kind, const std::string &name) {
  if (kind < 0)
    return nullptr;
  std::string_view wanted = name;
  for (auto [alias, real] : kAliases)
    if (wanted == alias)
      wanted = real;
  for (const auto &f : *kFields[static_cast<size_t>(kind)])
    if (wanted == f.name)
      return &f;
  return nullptr;
}

// One default body per alternative, so kind names come from eventKindName alone.
template <size_t... I> auto makeBodies(std::index_sequence<I...>) {
  return std::array<EventBody, sizeof...(I)>{EventBody(std::in_place_index<I>)...};
}

const EventBody &sampleBody(size_t kind) {
  static const auto kBodies =
      makeBodies(std::make_index_sequence<std::variant_size_v<EventBody>>());
  return kBodies[kind];
}

int kindByName(const std::string &name) {
  for (size_t i = 0; i < kFields.size(); ++i)
    if (name == eventKindName(sampleBody(i)))
      return static_cast<int>(i);
  return -2;
}

std::optional<uint64_t> resolveName(Names names, std::string name) {
  switch (names) {
  case Names::None:
    return std::nullopt;
  case Names::Bool:
    if (name == "true")
      return 1;
    if (name == "false")
      return 0;
    return std::nullopt;
  case Names::ExitReason:
    if (auto n = exitReasonByName(name))
      return *n;
    return std::nullopt;
  case Names::Exception:
    if (!name.starts_with('#'))
      name = "#" + name;
    for (const auto &v : exceptionVectors())
      if (v.mnemonic == name)
        return v.vector;
    return std::nullopt;
  case Names::VmcsField:
    if (const auto *f = findVmcsField(name))
      return f->encoding;
    return std::nullopt;
  }
  return std::nullopt;
}

std::string trim(const std::string &s) {
  const auto b = s.find_first_not_of(" \t");
  const auto e = s.find_last_not_of(" \t");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

bool compare(const Value &actual, QueryOp op, const Value &wanted) {
  if (const auto *a = std::get_if<uint64_t>(&actual)) {
    const auto *w = std::get_if<uint64_t>(&wanted);
    if (!w)
      return false;
    switch (op) {
    case QueryOp::Eq:
      return *a == *w;
    case QueryOp::Ne:
      return *a != *w;
    case QueryOp::Lt:
      return *a < *w;
    case QueryOp::Le:
      return *a <= *w;
    case QueryOp::Gt:
      return *a > *w;
    case QueryOp::Ge:
      return *a >= *w;
    case QueryOp::Contains:
      return false;
    }
    return false;
  }
  const auto &a = std::get<std::string>(actual);
  const auto *w = std::get_if<std::string>(&wanted);
  if (!w)
    return false;
  switch (op) {
  case QueryOp::Eq:
    return a == *w;
  case QueryOp::Ne:
    return a != *w;
  case QueryOp::Contains:
    return a.find(*w) != std::string::npos;
  default:
    return false;
  }
}

class SelectorParser {
public:
  explicit SelectorParser(const std::string &text) : text_(text) {}

  EventQuery parse() {
    EventQuery q;
    q.text = text_;
    const auto open = text_.find('[');
    const std::string kind = trim(text_.substr(0, open));
    if (kind.empty())
      fail("no event kind (expected e.g. exit[reason=HLT])");
    q.kind = kind == "any" ? -1 : kindByName(kind);
    if (q.kind == -2)
      fail("unknown event kind '" + kind +
           "' (expected exit, entry, exception, ring, io, mmio, hypercall, walk, tlb, "
           "console, vmcs, stop, vmx or any)");
    if (open == std::string::npos)
      return q;
    if (q.kind < 0)
      fail("'any' takes no conditions");
    pos_ = open + 1;
    skipSpaces();
    if (peek() == ']') {
      ++pos_;
    } else {
      for (;;) {
        q.conds.push_back(condition(q.kind));
        skipSpaces();
        const char c = next();
        if (c == ']')
          break;
        if (c != ',')
          fail("expected ',' or ']' after a condition");
      }
    }
    skipSpaces();
    if (pos_ != text_.size())
      fail("text after ']'");
    return q;
  }

private:
  [[noreturn]] void fail(const std::string &why) const {
    throw InputError("bad event selector '" + text_ + "': " + why);
  }
  char peek() const { return pos_ < text_.size() ? text_[pos_] : '\0'; }
  char next() { return pos_ < text_.size() ? text_[pos_++] : '\0'; }
  void skipSpaces() {
    while (peek() == ' ' || peek() == '\t')
      ++pos_;
  }

  QueryCond condition(int kind) {
    QueryCond c;
    skipSpaces();
    while (std::isalnum(static_cast<unsigned char>(peek())) || peek() == '_')
      c.field += next();
    const FieldDef *field = findField(kind, c.field);
    if (!field) {
      std::string known;
      for (const auto &name : eventFieldNames(kind))
        known += (known.empty() ? "" : ", ") + name;
      fail("unknown field '" + c.field + "' (fields: " + known + ")");
    }
    skipSpaces();
    c.op = op();
    skipSpaces();
    std::string raw;
    bool quoted = false;
    if (peek() == '"') {
      quoted = true;
      ++pos_;
      while (peek() != '"') {
        if (peek() == '\0')
          fail("unterminated quoted value");
        if (peek() == '\\' && pos_ + 1 < text_.size())
          ++pos_;
        raw += next();
      }
      ++pos_;
    } else {
      while (peek() != ',' && peek() != ']' && peek() != '\0')
        raw += next();
      raw = trim(raw);
    }
    if (raw.empty() && !quoted)
      fail("no value for field '" + c.field + "'");
    // The field's type decides how the value is read.
    const bool textField =
        std::holds_alternative<std::string>(field->get(sampleBody(static_cast<size_t>(kind))));
    if (textField) {
      if (c.op != QueryOp::Eq && c.op != QueryOp::Ne && c.op != QueryOp::Contains)
        fail("field '" + c.field + "' is text: use =, != or ~");
      c.value = raw;
      return c;
    }
    if (c.op == QueryOp::Contains)
      fail("'~' applies to text fields only");
    if (!raw.empty() && std::isdigit(static_cast<unsigned char>(raw[0])) && !quoted) {
      try {
        c.value = parseAddress(raw);
      } catch (const InputError &) {
        fail("bad number '" + raw + "' for field '" + c.field + "'");
      }
      return c;
    }
    if (auto n = resolveName(field->names, raw)) {
      c.value = *n;
      return c;
    }
    fail("field '" + c.field + "' wants a number; '" + raw + "' is not a known name for it");
  }

  QueryOp op() {
    const char c = next();
    if (c == '=')
      return QueryOp::Eq;
    if (c == '~')
      return QueryOp::Contains;
    if (c == '!' && next() == '=')
      return QueryOp::Ne;
    if (c == '<') {
      if (peek() == '=')
        return ++pos_, QueryOp::Le;
      return QueryOp::Lt;
    }
    if (c == '>') {
      if (peek() == '=')
        return ++pos_, QueryOp::Ge;
      return QueryOp::Gt;
    }
    fail("expected an operator (=, !=, <, <=, >, >=, ~)");
  }

  const std::string &text_;
  size_t pos_ = 0;
};

} // namespace

EventQuery parseEventQuery(const std::string &text) { return SelectorParser(text).parse(); }

bool matches(const EventQuery &query, const Event &event) {
  if (query.kind >= 0 && static_cast<size_t>(query.kind) != event.body.index())
    return false;
  for (const auto &c : query.conds) {
    const FieldDef *field = findField(query.kind, c.field);
    if (!field || !compare(field->get(event.body), c.op, c.value))
      return false;
  }
  return true;
}

uint64_t countMatches(const EventQuery &query, std::span<const Event> events) {
  return static_cast<uint64_t>(std::count_if(events.begin(), events.end(),
                                             [&](const Event &e) { return matches(query, e); }));
}

size_t matchSequencePrefix(std::span<const EventQuery> sequence, std::span<const Event> events) {
  size_t matched = 0;
  for (const auto &e : events) {
    if (matched == sequence.size())
      break;
    if (matches(sequence[matched], e))
      ++matched;
  }
  return matched;
}

std::vector<std::string> eventFieldNames(int kind) {
  std::vector<std::string> names;
  if (kind >= 0 && static_cast<size_t>(kind) < kFields.size())
    for (const auto &f : *kFields[static_cast<size_t>(kind)])
      names.emplace_back(f.name);
  return names;
}

} // namespace ringside
