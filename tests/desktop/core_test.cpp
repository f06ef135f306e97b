// The desktop app's display-free parts: the event store, scrubbing checkpoints, the queue,
// the source map and the state the views read.
#include "core/breakpoint.h"
#include "core/event_queue.h"
#include "core/event_store.h"
#include "core/source_map.h"
#include "core/state_index.h"
#include "core/synthetic_trace.h"
#include "guest/image_loader.h"
#include "test_paths.h"

#include <atomic>
#include <chrono>
#include <gtest/gtest.h>
#include <random>
#include <thread>

using namespace ringside;
using namespace ringside::desktop;

namespace {

EventStore storeOf(std::size_t n) {
  EventStore store;
  for (auto &e : makeSyntheticTrace(n))
    store.append(std::move(e));
  return store;
}

void expectSameState(const MachineState &a, const MachineState &b) {
  EXPECT_EQ(a.applied, b.applied);
  EXPECT_EQ(a.instructions, b.instructions);
  EXPECT_EQ(a.cpl, b.cpl);
  EXPECT_EQ(a.inRoot, b.inRoot);
  EXPECT_EQ(a.rip, b.rip);
  EXPECT_EQ(a.exits, b.exits);
  EXPECT_EQ(a.consoleLength, b.consoleLength);
  EXPECT_EQ(a.vga, b.vga);
  EXPECT_EQ(a.vmcsValue, b.vmcsValue);
  EXPECT_EQ(a.vmcsChangedSeq, b.vmcsChangedSeq);
  EXPECT_EQ(a.lastWalkSeq, b.lastWalkSeq);
  EXPECT_EQ(a.recent[0].seq, b.recent[0].seq);
}

} // namespace

TEST(DesktopEventStore, LaneCountsAndNextInLaneAgreeWithALinearScan) {
  const EventStore store = storeOf(5000);
  ASSERT_EQ(store.size(), 5000u);
  for (std::size_t l = 0; l < kLaneCount; ++l) {
    const auto lane = static_cast<Lane>(l);
    std::size_t count = 0;
    for (std::size_t i = 100; i < 900; ++i)
      count += laneOf(store.at(i)) == lane;
    EXPECT_EQ(store.laneCount(lane, 100, 900), count);
    for (std::size_t from : {0u, 1u, 17u, 4998u}) {
      std::size_t expected = from;
      while (expected < store.size() && laneOf(store.at(expected)) != lane)
        ++expected;
      EXPECT_EQ(store.nextInLane(lane, from), expected) << "lane " << l << " from " << from;
    }
  }
}

TEST(DesktopStateIndex, AnyEventFromCheckpointsEqualsReplayingFromTheStart) {
  const EventStore store = storeOf(20000);
  StateIndex index;
  index.catchUp(store);
  std::mt19937 random(1);
  for (int i = 0; i < 20; ++i) {
    const std::size_t target = random() % (store.size() + 1);
    MachineState replay;
    while (replay.applied < target)
      replay.apply(store.at(replay.applied));
    expectSameState(index.stateAt(store, target), replay);
    // moveTo from an arbitrary earlier or later state lands on the same state.
    MachineState moved = index.stateAt(store, random() % (store.size() + 1));
    index.moveTo(store, moved, target);
    expectSameState(moved, replay);
  }
}

TEST(DesktopMachineState, FollowsExitsEntriesRingsAndDevices) {
  const EventStore store = storeOf(40);
  MachineState s;
  bool sawRoot = false, sawConsole = false;
  for (const auto &e : store.events()) {
    s.apply(e);
    if (std::holds_alternative<ExitEvent>(e.body)) {
      EXPECT_TRUE(s.inRoot);
      EXPECT_EQ(s.recent[0].kind, Transition::Exit);
      sawRoot = true;
    }
    if (std::holds_alternative<EntryEvent>(e.body)) {
      EXPECT_FALSE(s.inRoot);
    }
    if (const auto *r = std::get_if<RingEvent>(&e.body)) {
      EXPECT_EQ(s.cpl, r->to);
    }
    sawConsole |= s.consoleLength > 0;
  }
  EXPECT_TRUE(sawRoot);
  EXPECT_TRUE(sawConsole);
  EXPECT_TRUE(s.vgaWritten);
  EXPECT_EQ(s.vga[1], 0x1F); // the first MMIO write's attribute byte
}

TEST(DesktopEventQueue, ProducerWaitsWhenFullAndCloseReleasesIt) {
  EventQueue queue(4);
  std::atomic<int> pushed{0};
  std::thread producer([&] {
    for (int i = 0; i < 10; ++i)
      if (queue.push(Event{static_cast<uint64_t>(i), 0, ConsoleEvent{0xE9, "x"}}))
        ++pushed;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(pushed.load(), 4); // bounded: the fifth push waits
  std::vector<Event> out;
  EXPECT_EQ(queue.popSome(out, 2), 2u);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(pushed.load(), 6);
  queue.close();
  producer.join();
  EXPECT_EQ(pushed.load(), 6); // the rest were dropped, not waited for
  EXPECT_EQ(out[0].seq, 0u);
  EXPECT_EQ(out[1].seq, 1u);
}

TEST(DesktopSourceMap, MapsTheHelloGuestsAddressesToItsLines) {
  const auto image = loadGuestImage((test::sourceDir() / "lessons/00-hello/hello.asm").string());
  const SourceMap map = SourceMap::fromNasmListing(image.listing, image.segments.front().gpa);
  ASSERT_FALSE(map.empty());
  EXPECT_EQ(map.lineOf(0x7C00), 9);  // cli
  EXPECT_EQ(map.lineOf(0x7C0D), 17); // out 0xE9, al
  EXPECT_EQ(map.lineOf(0x7C0E), 17); // its second byte
  EXPECT_EQ(map.lineOf(0x7C24), 24); // hlt
  EXPECT_EQ(map.lineOf(0x7BFF), 0);
}

TEST(DesktopBreakpoint, ParsesEachFormAndMatchesOnlyItsEvents) {
  std::string error;
  const auto hlt = parseBreakpoint("exit:HLT", error);
  ASSERT_TRUE(hlt) << error;
  EXPECT_TRUE(hlt->matches(Event{0, 0, ExitEvent{12, 0, 0x7C24, 1, EventSource::Model}}));
  EXPECT_FALSE(hlt->matches(Event{0, 0, ExitEvent{30, 0, 0x7C24, 1, EventSource::Model}}));
  const auto rip = parseBreakpoint(" rip:0x7c0d ", error);
  ASSERT_TRUE(rip) << error;
  EXPECT_TRUE(
      rip->matches(Event{0, 0, IoEvent{0xE9, 1, true, 'H', 1, 0x7C0D, EventSource::Model}}));
  EXPECT_FALSE(rip->matches(Event{0, 0, ConsoleEvent{0xE9, "H"}}));
  const auto pf = parseBreakpoint("exception:#PF", error);
  ASSERT_TRUE(pf) << error;
  EXPECT_TRUE(pf->matches(Event{0, 0, ExceptionEvent{14, true, 2, 0x1000, 0x5000, false}}));
  const auto ring = parseBreakpoint("ring", error);
  ASSERT_TRUE(ring);
  EXPECT_FALSE(
      ring->matches(Event{0, 0, RingEvent{0, 0, RingCause::Start, 0, EventSource::Model}}));
  EXPECT_TRUE(ring->matches(Event{0, 0, RingEvent{0, 3, RingCause::Iret, 0, EventSource::Model}}));
  EXPECT_FALSE(parseBreakpoint("", error));
  EXPECT_TRUE(error.empty());
  for (const char *bad : {"exit:NOPE", "rip:zz", "exception:#XX", "bogus"}) {
    EXPECT_FALSE(parseBreakpoint(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}
