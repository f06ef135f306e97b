#include "trace/trace.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

TEST(Trace, NumbersEventsFromZeroInOrder) {
  Trace trace;
  EXPECT_EQ(trace.record(0, ConsoleEvent{0xe9, "a"}).seq, 0u);
  EXPECT_EQ(trace.record(3, ExitEvent{12, 0, 0x7c00, 1}).seq, 1u);
  const Event &last = trace.record(3, StopEvent{StopKind::Hlt, 0, "hlt"});
  EXPECT_EQ(last.seq, 2u);
  EXPECT_EQ(last.instructions, 3u);
  ASSERT_EQ(trace.events().size(), 3u);
  EXPECT_EQ(trace.size(), 3u);
  EXPECT_EQ(std::get<ExitEvent>(trace.events()[1].body).reason, 12);
}

TEST(Trace, ListenersSeeOnlyLaterEvents) {
  Trace trace;
  trace.record(0, EntryEvent{});
  std::vector<uint64_t> seenA, seenB;
  trace.addListener([&](const Event &e) { seenA.push_back(e.seq); });
  trace.record(1, EntryEvent{});
  trace.addListener([&](const Event &e) { seenB.push_back(e.seq); });
  trace.record(2, EntryEvent{});
  EXPECT_EQ(seenA, (std::vector<uint64_t>{1, 2}));
  EXPECT_EQ(seenB, (std::vector<uint64_t>{2}));
}

TEST(Trace, StreamingOnlyStillNumbersAndNotifies) {
  Trace trace;
  trace.setKeepEvents(false);
  std::vector<std::string> kinds;
  trace.addListener([&](const Event &e) { kinds.push_back(eventKindName(e.body)); });
  trace.record(0, IoEvent{});
  EXPECT_EQ(trace.record(1, StopEvent{}).seq, 1u);
  EXPECT_TRUE(trace.events().empty());
  EXPECT_EQ(kinds, (std::vector<std::string>{"io", "stop"}));
}

TEST(Trace, ClearRestartsNumbering) {
  Trace trace;
  trace.record(0, EntryEvent{});
  trace.record(0, EntryEvent{});
  trace.clear();
  EXPECT_TRUE(trace.events().empty());
  EXPECT_EQ(trace.record(0, EntryEvent{}).seq, 0u);
}

} // namespace
} // namespace ringside
