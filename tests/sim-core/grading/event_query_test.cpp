// Event selectors: parsing (with errors naming the selector), matching and sequences.
#include "errors.h"
#include "grading/event_query.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

Event event(uint64_t seq, EventBody body) { return Event{seq, seq, std::move(body)}; }

std::vector<Event> sampleTrace() {
  return {
      event(0, RingEvent{0, 0, RingCause::Start, 0x7c00, EventSource::Model}),
      event(1, ExitEvent{10, 0, 0x7c05, 2, EventSource::Model}), // CPUID
      event(2, IoEvent{0xE9, 1, true, 'h', 1, 0x7c10, EventSource::Model}),
      event(3, ConsoleEvent{0xE9, "hello"}),
      event(4, ExceptionEvent{14, true, 2, 0x10020, 0x401000, false}),
      event(5, RingEvent{0, 3, RingCause::Iret, 0x20000, EventSource::Model}),
      event(6, HypercallEvent{1, {42, 7, 0, 0}, 0, 0x20010}),
      event(7, ExitEvent{30, 0xE90000, 0x7c10, 1, EventSource::Model}), // IO_INSTRUCTION
      event(8, StopEvent{StopKind::ExitPort, 0, "the guest wrote 0 to port 0xf4"}),
  };
}

TEST(EventQuery, MatchesByKindAndNamedValues) {
  const auto trace = sampleTrace();
  EXPECT_EQ(countMatches(parseEventQuery("exit"), trace), 2u);
  EXPECT_EQ(countMatches(parseEventQuery("exit[reason=CPUID]"), trace), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("exit[reason=10]"), trace), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("exit[reason=IO_INSTRUCTION, qual=0xe90000]"), trace), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("exit[reason!=HLT]"), trace), 2u);
  EXPECT_EQ(countMatches(parseEventQuery("exception[vector=#PF,cr2>=0x401000]"), trace), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("exception[vector=PF,cr2<0x401000]"), trace), 0u);
  EXPECT_EQ(countMatches(parseEventQuery("ring[from=0,to=3,cause=iret]"), trace), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("io[port=0xe9,write=true]"), trace), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("console[text~\"ell\"]"), trace), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("hypercall[nr=1,arg0=42,arg1=7]"), trace), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("hypercall[nr=1,arg0=41]"), trace), 0u);
  EXPECT_EQ(countMatches(parseEventQuery("stop[kind=exit-port,code=0]"), trace), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("any"), trace), trace.size());
  EXPECT_EQ(countMatches(parseEventQuery("walk"), trace), 0u);
}

TEST(EventQuery, SequencesMatchInOrderWithGaps) {
  const auto trace = sampleTrace();
  std::vector<EventQuery> inOrder = {parseEventQuery("exit[reason=CPUID]"),
                                     parseEventQuery("ring[to=3]"), parseEventQuery("stop")};
  EXPECT_EQ(matchSequencePrefix(inOrder, trace), 3u);
  std::vector<EventQuery> reversed = {parseEventQuery("ring[to=3]"),
                                      parseEventQuery("exit[reason=CPUID]")};
  EXPECT_EQ(matchSequencePrefix(reversed, trace), 1u);
}

TEST(EventQuery, BadSelectorsNameTheProblem) {
  auto why = [](const std::string &text) {
    try {
      parseEventQuery(text);
    } catch (const InputError &e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  EXPECT_NE(why("exits").find("unknown event kind 'exits'"), std::string::npos);
  EXPECT_NE(why("exit[reasn=HLT]").find("unknown field 'reasn'"), std::string::npos);
  EXPECT_NE(why("exit[reason=NOT_A_REASON]").find("not a known name"), std::string::npos);
  EXPECT_NE(why("exit[reason=HLT").find("expected ',' or ']'"), std::string::npos);
  EXPECT_NE(why("exit[reason HLT]").find("operator"), std::string::npos);
  EXPECT_NE(why("exit[reason~HLT]").find("text fields only"), std::string::npos);
  EXPECT_NE(why("ring[cause<iret]").find("is text"), std::string::npos);
  EXPECT_NE(why("exit[qual=0xZZ]").find("bad number"), std::string::npos);
  EXPECT_NE(why("").find("no event kind"), std::string::npos);
  EXPECT_NE(why("exit[reason=HLT] x").find("after ']'"), std::string::npos);
  EXPECT_NE(why("exit[reason=HLT]").find("no error"), std::string::npos);
  // Every message names the selector as written.
  EXPECT_NE(why("io[prt=1]").find("'io[prt=1]'"), std::string::npos);
}

TEST(EventQuery, EveryKindHasFields) {
  for (int kind = 0; kind < 12; ++kind)
    EXPECT_FALSE(eventFieldNames(kind).empty()) << kind;
}

} // namespace
} // namespace ringside
