// answer_walk_refs: a checkpoint answered by the memory references of a whole (2-D) walk, the
// walk events sharing one walk_id, on hand-built traces.
#include "lessons/lesson_check.h"

#include "grading/event_query.h"

#include <gtest/gtest.h>

namespace ringside::test {
namespace {

using namespace ringside::lessons;

Event walk(uint64_t gva, uint8_t refs, uint32_t walkId, WalkPurpose purpose) {
  WalkEvent w;
  w.gva = gva;
  w.memoryRefs = refs;
  w.walkId = walkId;
  w.purpose = purpose;
  return Event{0, 0, w};
}

// Two 2-D walks (ids 1 and 2) and one stand-alone walk; the EPT walks come first, as recorded.
std::vector<Event> trace() {
  std::vector<Event> events;
  for (int i = 0; i < 5; ++i)
    events.push_back(walk(0x300000, 4, 1, WalkPurpose::Ept));
  events.push_back(walk(0x40000000, 4, 1, WalkPurpose::GuestTables));
  for (int i = 0; i < 4; ++i)
    events.push_back(walk(0x400000, 4, 2, WalkPurpose::Ept));
  events.push_back(walk(0x80000000, 3, 2, WalkPurpose::GuestTables));
  events.push_back(walk(0x1000, 2, 0, WalkPurpose::GuestTables));
  return events;
}

TEST(WalkRefsAnswer, SumsTheWalkEventsSharingTheFirstMatchsWalkId) {
  const auto events = trace();
  Checkpoint c;
  c.answerWalkRefs = parseEventQuery("walk[gva=0x40000000]");
  EXPECT_EQ(numericAnswer(c, events), 24u);
  EXPECT_EQ(traceAnswer(c, events), "24");
  c.answerWalkRefs = parseEventQuery("walk[gva=0x80000000]");
  EXPECT_EQ(numericAnswer(c, events), 19u);
}

TEST(WalkRefsAnswer, AStandAloneWalkIsItsOwnRefsAndNoMatchIsNoAnswer) {
  const auto events = trace();
  Checkpoint c;
  c.answerWalkRefs = parseEventQuery("walk[gva=0x1000]");
  EXPECT_EQ(numericAnswer(c, events), 2u);
  c.answerWalkRefs = parseEventQuery("walk[gva=0x5000]");
  EXPECT_FALSE(numericAnswer(c, events).has_value());
  EXPECT_EQ(traceAnswer(c, events), "");
}

TEST(WalkRefsAnswer, WalkIdIsASelectorField) {
  const auto events = trace();
  EXPECT_EQ(countMatches(parseEventQuery("walk[walk_id=1,purpose=ept]"), events), 5u);
  EXPECT_EQ(countMatches(parseEventQuery("walk[walk_id=2]"), events), 5u);
  EXPECT_EQ(countMatches(parseEventQuery("walk[walk_id=0]"), events), 1u);
}

TEST(WalkRefsAnswer, TlbSelectorsPickVpidAndCause) {
  TlbEvent flush;
  flush.op = TlbOp::FlushAll;
  flush.cause = TlbCause::VmTransition;
  TlbEvent hit;
  hit.op = TlbOp::Hit;
  hit.vpid = 1;
  const std::vector<Event> events = {Event{0, 0, flush}, Event{1, 0, hit}};
  EXPECT_EQ(countMatches(parseEventQuery("tlb[cause=vm-transition]"), events), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("tlb[op=hit,vpid=1]"), events), 1u);
  EXPECT_EQ(countMatches(parseEventQuery("tlb[vpid=0]"), events), 1u);
}

} // namespace
} // namespace ringside::test
