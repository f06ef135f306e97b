#include "trace/events.h"

#include <gtest/gtest.h>
#include <set>
#include <string>

namespace ringside {
namespace {

TEST(EventNames, KindNamesFollowTheVariantOrder) {
  EXPECT_STREQ(eventKindName(ExitEvent{}), "exit");
  EXPECT_STREQ(eventKindName(EntryEvent{}), "entry");
  EXPECT_STREQ(eventKindName(ExceptionEvent{}), "exception");
  EXPECT_STREQ(eventKindName(RingEvent{}), "ring");
  EXPECT_STREQ(eventKindName(IoEvent{}), "io");
  EXPECT_STREQ(eventKindName(MmioEvent{}), "mmio");
  EXPECT_STREQ(eventKindName(HypercallEvent{}), "hypercall");
  EXPECT_STREQ(eventKindName(WalkEvent{}), "walk");
  EXPECT_STREQ(eventKindName(TlbEvent{}), "tlb");
  EXPECT_STREQ(eventKindName(ConsoleEvent{}), "console");
  EXPECT_STREQ(eventKindName(VmcsEvent{}), "vmcs");
  EXPECT_STREQ(eventKindName(StopEvent{}), "stop");
  EXPECT_STREQ(eventKindName(TrapEvent{}), "trap");
  EXPECT_STREQ(eventKindName(LeakEvent{}), "leak");
  EXPECT_STREQ(eventKindName(TranslateEvent{}), "translate");
}

TEST(EventNames, EnumNames) {
  EXPECT_STREQ(stopKindName(StopKind::Hlt), "hlt");
  EXPECT_STREQ(stopKindName(StopKind::ExitPort), "exit-port");
  EXPECT_STREQ(stopKindName(StopKind::Shutdown), "shutdown");
  EXPECT_STREQ(stopKindName(StopKind::Budget), "budget");
  EXPECT_STREQ(stopKindName(StopKind::Timeout), "timeout");
  EXPECT_STREQ(stopKindName(StopKind::Error), "error");
  EXPECT_STREQ(ringCauseName(RingCause::FarTransfer), "far-transfer");
  EXPECT_STREQ(walkModeName(WalkMode::Long4), "long4");
  EXPECT_STREQ(walkPurposeName(WalkPurpose::GuestTables), "guest-tables");
  EXPECT_STREQ(tlbOpName(TlbOp::FlushPage), "flush-page");
}

TEST(EventNames, OutOfRangeValuesAreMarkedNotRead) {
  EXPECT_STREQ(stopKindName(static_cast<StopKind>(200)), "?");
  EXPECT_STREQ(tlbOpName(static_cast<TlbOp>(200)), "?");
}

TEST(EventNames, NamesAreLowerKebabAndUnique) {
  std::set<std::string> seen;
  for (unsigned i = 0; i < 6; ++i) {
    std::string name = stopKindName(static_cast<StopKind>(i));
    EXPECT_TRUE(seen.insert(name).second) << name;
    for (char c : name)
      EXPECT_TRUE((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-') << name;
  }
}

} // namespace
} // namespace ringside
