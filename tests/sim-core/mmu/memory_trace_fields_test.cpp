// The trace fields the memory models added: walk_id and exit_reason on `walk`, vpid and cause
// on `tlb`, and the new TLB operations. Written only when set (old traces read unchanged) and
// read back exactly.
#include "trace/trace_json.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

Event make(EventBody body) { return Event{3, 9, std::move(body)}; }

TEST(MemoryTraceFields, WalkIdAndExitReasonRoundTrip) {
  WalkEvent w;
  w.gva = 0x2000;
  w.mode = WalkMode::Ept;
  w.purpose = WalkPurpose::Ept;
  w.stepCount = 1;
  w.steps[0] = WalkStep{4, 0x5000, 0, 0};
  w.ok = false;
  w.faultCode = 0x181;
  w.memoryRefs = 1;
  w.walkId = 12;
  w.exitReason = 48;
  const std::string line = toJsonLine(make(w));
  EXPECT_NE(line.find("\"walk_id\":12"), std::string::npos) << line;
  EXPECT_NE(line.find("\"exit_reason\":48"), std::string::npos) << line;
  const auto back = std::get<WalkEvent>(fromJsonLine(line).body);
  EXPECT_EQ(back.walkId, 12u);
  EXPECT_EQ(back.exitReason, 48);
  EXPECT_EQ(back.faultCode, 0x181u);

  WalkEvent plain;
  const std::string old = toJsonLine(make(plain));
  EXPECT_EQ(old.find("walk_id"), std::string::npos);
  EXPECT_EQ(old.find("exit_reason"), std::string::npos);
  EXPECT_EQ(std::get<WalkEvent>(fromJsonLine(old).body).walkId, 0u);
}

TEST(MemoryTraceFields, TlbOperationsVpidAndCause) {
  for (TlbOp op : {TlbOp::Hit, TlbOp::Miss, TlbOp::FlushVpid}) {
    TlbEvent t{op, 0x40'0000, 0x80'0000, 4096, 5, TlbCause::Invvpid};
    const std::string line = toJsonLine(make(t));
    const auto back = std::get<TlbEvent>(fromJsonLine(line).body);
    EXPECT_EQ(back.op, op) << line;
    EXPECT_EQ(back.vpid, 5);
    EXPECT_EQ(back.cause, TlbCause::Invvpid);
  }
  EXPECT_STREQ(tlbOpName(TlbOp::Hit), "hit");
  EXPECT_STREQ(tlbCauseName(TlbCause::MovCr3), "mov-cr3");
  const std::string old = toJsonLine(make(TlbEvent{TlbOp::Fill, 1, 2, 4096}));
  EXPECT_EQ(old.find("vpid"), std::string::npos);
  EXPECT_EQ(old.find("cause"), std::string::npos);
  EXPECT_THROW(fromJsonLine(R"({"seq":0,"icount":0,"kind":"tlb","op":"hit","va":0,"pa":0,)"
                            R"("page_size":0,"cause":"reboot"})"),
               std::exception);
}

} // namespace
} // namespace ringside
