// Snapshot → restore in a fresh backend → identical continuation on the emu backend: the
// events after the restore equal the tail of an uninterrupted run, seq numbers included.
#include "backend/backend.h"
#include "guest/image_loader.h"
#include "platform/platform.h"
#include "snapshot/machine_state.h"
#include "test_paths.h"
#include "trace/trace_json.h"

#include <gtest/gtest.h>

namespace ringside::test {
namespace {

// Events from `fromSeq` on as JSON lines. `mmuModulo`: without the walk and tlb events and
// the seq numbers (docs/snapshots.md: a restored machine's modelled TLB starts empty).
std::vector<std::string> lines(const std::vector<Event> &events, uint64_t fromSeq,
                               bool mmuModulo = false) {
  std::vector<std::string> out;
  for (const auto &e : events) {
    if (e.seq < fromSeq)
      continue;
    if (!mmuModulo) {
      out.push_back(toJsonLine(e));
      continue;
    }
    if (std::holds_alternative<WalkEvent>(e.body) || std::holds_alternative<TlbEvent>(e.body))
      continue;
    auto j = toJson(e);
    j.erase("seq");
    out.push_back(j.dump());
  }
  return out;
}

void checkContinuation(const std::string &guest, uint64_t atInsn, bool mmuModulo = false) {
  SCOPED_TRACE(guest + " at " + std::to_string(atInsn));
  auto path = (sourceDir() / "tests" / "guests" / guest).string();
  RunConfig config;
  auto full = createBackend("emu");
  full->load(loadGuestImage(path), config);
  auto fullResult = full->run();

  auto first = createBackend("emu");
  RunConfig cut = config;
  cut.maxInstructions = atInsn;
  first->load(loadGuestImage(path), cut);
  ASSERT_EQ(first->run().stop.kind, StopKind::Budget);
  auto file = (scratchDir("emu_snapshot") / (guest + ".rss")).string();
  snapshot::saveState(first->saveState(), file);

  auto state = snapshot::loadState(file);
  auto second = createBackend("emu");
  second->restoreState(state, config);
  auto result = second->run();
  EXPECT_EQ(result.stop.kind, fullResult.stop.kind);
  EXPECT_EQ(result.instructions, fullResult.instructions);
  EXPECT_EQ(result.regs.rip, fullResult.regs.rip);
  EXPECT_EQ(result.regs.gpr, fullResult.regs.gpr);
  EXPECT_EQ(second->platform().console(), full->platform().console());
  auto tail = lines(full->trace().events(), state.nextSeq, mmuModulo);
  ASSERT_FALSE(tail.empty());
  EXPECT_EQ(lines(second->trace().events(), 0, mmuModulo), tail);
}

TEST(EmuSnapshot, TimerGuestContinuesIdentically) {
  // Before the timer is programmed, between interrupts, and inside a HLT sleep's aftermath.
  for (uint64_t n : {20u, 1500u, 2600u})
    checkContinuation("timer_pit.asm", n);
}

TEST(EmuSnapshot, ProtectedAndLongModeGuestsContinueIdentically) {
  checkContinuation("ring3_idt.asm", 40);
  // Paging on: identical apart from the refills of the modelled TLB, which starts empty.
  checkContinuation("long_cr3_switch.asm", 12, true);
  checkContinuation("paging_alias.asm", 30, true);
}

TEST(EmuSnapshot, RefusesARunningOrFinishedGuest) {
  auto path = (sourceDir() / "tests" / "guests" / "exit_code.asm").string();
  auto b = createBackend("emu");
  b->load(loadGuestImage(path), RunConfig{});
  EXPECT_THROW(b->saveState(), InputError);
  b->run();
  EXPECT_THROW(b->saveState(), InputError);
}

TEST(EmuSnapshot, ResumeInTheSameProcessEqualsOneRun) {
  auto path = (sourceDir() / "tests" / "guests" / "timer_pit.asm").string();
  auto full = createBackend("emu");
  full->load(loadGuestImage(path), RunConfig{});
  auto fullResult = full->run();
  RunConfig cut;
  cut.maxInstructions = 700;
  auto b = createBackend("emu");
  b->load(loadGuestImage(path), cut);
  ASSERT_EQ(b->run().stop.kind, StopKind::Budget);
  ASSERT_EQ(b->resume(1900).stop.kind, StopKind::Budget);
  auto r = b->resume(0);
  EXPECT_EQ(r.instructions, fullResult.instructions);
  EXPECT_EQ(b->trace().events().back().instructions, full->trace().events().back().instructions);
  EXPECT_EQ(b->platform().console(), full->platform().console());
}

} // namespace
} // namespace ringside::test
