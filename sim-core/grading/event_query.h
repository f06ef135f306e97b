#pragma once
// Event selectors: a small text syntax that picks events out of a trace, shared by the grader's
// event checks and (later) the lessons' "expected events".
//
//   SELECTOR := KIND | KIND '[' COND (',' COND)* ']'
//   KIND     := exit | entry | exception | ring | io | mmio | hypercall | walk | tlb | console |
//   vmx
//               | vmcs | stop | any
//   COND     := FIELD OP VALUE        OP := = | != | < | <= | > | >= | ~ (text contains)
//   VALUE    := a number (decimal or 0x hex), true/false, or a name: an exit reason
//               (IO_INSTRUCTION), an exception mnemonic (#PF or PF), a VMCS field (GUEST_RIP),
//               an enum name as the trace format spells it (exit-port, far-transfer, shadow …)
//
// Examples: exit[reason=IO_INSTRUCTION,qual=0xe90000]   ring[from=0,to=3]
//           walk[gva=0x400000,ok=true,gpa=0x200000,refs=4]   hypercall[nr=1,arg0=42]
// Fields per kind are in eventFieldNames(); an unknown kind, field or name is an InputError
// naming the selector, so a typo in a lab spec fails when the spec is read, not at grading.
#include "trace/events.h"

#include <cstdint>
#include <span>
#include <string>
#include <variant>
#include <vector>

namespace ringside {

enum class QueryOp : uint8_t { Eq, Ne, Lt, Le, Gt, Ge, Contains };

struct QueryCond {
  std::string field;
  QueryOp op = QueryOp::Eq;
  std::variant<uint64_t, std::string> value; ///< numbers compare as numbers, names as text
};

struct EventQuery {
  int kind = -1; ///< EventBody index, or -1 for any kind
  std::vector<QueryCond> conds;
  std::string text; ///< the selector as written, for messages
};

/// Parses a selector. Throws InputError("bad event selector 'TEXT': why").
EventQuery parseEventQuery(const std::string &text);

/// True when the event is of the query's kind and meets every condition.
bool matches(const EventQuery &query, const Event &event);

/// Events matching the query.
uint64_t countMatches(const EventQuery &query, std::span<const Event> events);

/// How many of `sequence` match in order (each after the previous match; others may come
/// between): sequence.size() when the whole sequence occurs.
size_t matchSequencePrefix(std::span<const EventQuery> sequence, std::span<const Event> events);

/// The field names a kind's selector can use (for docs and error messages).
std::vector<std::string> eventFieldNames(int kind);

} // namespace ringside
