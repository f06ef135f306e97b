// The display-free parts behind the newer views: the 2-D walk grid from a recorded trace, the
// TLB as tlb events leave it, nesting and guest-written VMCS regions in the machine state, the
// MMU mode table, and checkpoint predictions checked against a real run.
#include "backend/backend.h"
#include "core/checkpoint_check.h"
#include "core/event_store.h"
#include "core/machine_state.h"
#include "core/mmu_modes.h"
#include "core/walk_grid.h"
#include "guest/image_loader.h"
#include "lessons/lesson_check.h"
#include "mmu/mmu_model.h"
#include "trace/trace_json.h"

#include <gtest/gtest.h>

using namespace ringside;
using namespace ringside::desktop;

namespace {

const std::string kSource = RINGSIDE_SOURCE_DIR;

Event event(uint64_t seq, EventBody body) {
  Event e;
  e.seq = seq;
  e.body = std::move(body);
  return e;
}

} // namespace

TEST(DesktopWalkGrid, ColdFourByFourWalkMakes24ReferencesInProcessorOrder) {
  // Recorded with `ringside walk tests/differential/corpus/long_paging_alias.asm --gva
  // 0x40000000 --mmu ept --json` (tests/desktop/data/README.md).
  EventStore store;
  for (auto &e : readJsonl(kSource + "/tests/desktop/data/walk_2d_cold.jsonl"))
    store.append(std::move(e));
  ASSERT_EQ(store.size(), 6u); // five EPT walks, then the guest walk
  MachineState s;
  for (std::size_t i = 0; i < store.size(); ++i)
    s.apply(store.at(i));
  EXPECT_EQ(s.walkGroupStart, 0u);
  const auto grid = walkGridAt(store, s.walkGroupStart, s.lastWalkSeq);
  ASSERT_TRUE(grid);
  EXPECT_TRUE(grid->guestSeen);
  EXPECT_TRUE(grid->ok);
  EXPECT_EQ(grid->references, 24);
  EXPECT_EQ(grid->rows, 5);       // PML4, PDPT, PD, PT, then the data's GPA
  EXPECT_EQ(grid->eptColumns, 4); // EPT PML4 … PT
  EXPECT_EQ(grid->guestSteps, 4);
  // EPT walk i, then guest entry i: row r holds 5r+1 … 5r+4 and the guest entry 5r+5.
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 4; ++c)
      EXPECT_EQ(grid->cells[r][c].order, 5 * r + c + 1) << r << "," << c;
    EXPECT_EQ(grid->cells[r][4].order, 5 * r + 5);
  }
  for (int c = 0; c < 4; ++c)
    EXPECT_EQ(grid->cells[4][c].order, 21 + c);
  EXPECT_FALSE(grid->cells[4][4].used); // the data itself is not a table reference

  // Half way through the walk (three EPT walks applied) the grid is partial.
  const auto partial = walkGridAt(store, 0, 2);
  ASSERT_TRUE(partial);
  EXPECT_FALSE(partial->guestSeen);
  EXPECT_EQ(partial->references, 12);
}

TEST(DesktopWalkGrid, ShadowPagingKeepsTheGuestWalkAndTheShadowWalk) {
  // `ringside walk …long_paging_alias.asm --gva 0x40000000 --mmu shadow --json`: the processor's
  // shadow walk faults (hidden), the VMM walks the guest's tables, then two shadow walks hit.
  EventStore store;
  for (auto &e : readJsonl(kSource + "/tests/desktop/data/walk_shadow.jsonl"))
    store.append(std::move(e));
  ASSERT_EQ(store.size(), 4u);
  MachineState s;
  for (std::size_t i = 0; i < store.size(); ++i)
    s.apply(store.at(i));
  EXPECT_EQ(s.lastGuestWalkSeq, 1u);
  EXPECT_EQ(s.lastShadowWalkSeq, 3u);
  EXPECT_FALSE(walkGridAt(store, s.walkGroupStart, s.lastWalkSeq)); // no walk id: no grid
}

TEST(DesktopWalkGrid, AStandaloneWalkHasNoGrid) {
  EventStore store;
  WalkEvent w;
  w.mode = WalkMode::Long4;
  w.stepCount = 4;
  store.append(event(0, w));
  EXPECT_FALSE(walkGridAt(store, 0, 0));
}

TEST(DesktopMachineState, TlbFollowsFillsHitsMissesAndFlushes) {
  MachineState s;
  uint64_t seq = 0;
  auto tlb = [&](TlbOp op, uint64_t va, uint16_t vpid = 1) {
    TlbEvent t;
    t.op = op;
    t.va = va;
    t.pa = va + 0x100000;
    t.pageSize = 4096;
    t.vpid = vpid;
    s.apply(event(seq++, t));
  };
  tlb(TlbOp::Miss, 0x1000);
  tlb(TlbOp::Fill, 0x1000);
  tlb(TlbOp::Fill, 0x2000);
  tlb(TlbOp::Fill, 0x3000, 2);
  tlb(TlbOp::Hit, 0x1008);
  EXPECT_EQ(s.tlbCount, 3);
  EXPECT_EQ(s.tlbHits, 1u);
  EXPECT_EQ(s.tlbMisses, 1u);
  EXPECT_EQ(s.tlb[0].va, 0x3000u); // newest first
  EXPECT_EQ(s.tlb[2].seq, 4u);     // the hit marks its entry
  tlb(TlbOp::FlushPage, 0x2000);
  EXPECT_EQ(s.tlbCount, 2);
  tlb(TlbOp::FlushVpid, 0, 2);
  ASSERT_EQ(s.tlbCount, 1);
  EXPECT_EQ(s.tlb[0].va, 0x1000u);
  for (uint64_t i = 0; i < 40; ++i) // more fills than lines: the oldest fall off
    tlb(TlbOp::Fill, 0x10000 + i * 0x1000);
  EXPECT_EQ(s.tlbCount, MachineState::kTlbLines);
  EXPECT_EQ(s.tlb[0].va, 0x10000u + 39 * 0x1000);
  tlb(TlbOp::FlushAll, 0);
  EXPECT_EQ(s.tlbCount, 0);
  EXPECT_EQ(s.tlbFlushes, 3u);
}

TEST(DesktopMachineState, NestedExitsAndGuestVmcsRegions) {
  MachineState s;
  ExitEvent vmmExit;
  vmmExit.reason = 18;
  EntryEvent nestedEntry;
  nestedEntry.nested = true;
  ExitEvent nestedExit;
  nestedExit.reason = 10;
  nestedExit.nested = true;
  VmcsEvent own;
  own.encoding = 0x681E; // GUEST_RIP
  own.newValue = 0x1000;
  VmcsEvent l1 = own;
  l1.region = 0x5000;
  l1.newValue = 0x2000;
  s.apply(event(0, vmmExit));
  EXPECT_TRUE(s.inRoot);
  s.apply(event(1, EntryEvent{}));
  s.apply(event(2, nestedEntry));
  EXPECT_TRUE(s.nestedSeen);
  EXPECT_TRUE(s.inNested);
  EXPECT_FALSE(s.inRoot); // L1 and L2 both run under Ringside's VMM, in non-root
  s.apply(event(3, nestedExit));
  EXPECT_FALSE(s.inNested);
  EXPECT_FALSE(s.inRoot);
  EXPECT_EQ(s.exits, 1u); // the nested exit went to the guest's hypervisor, not the VMM
  EXPECT_EQ(s.nestedExits, 1u);
  EXPECT_TRUE(s.recent[0].nested);
  s.apply(event(4, own));
  s.apply(event(5, l1));
  const int row = vmcsRowOf(0x681E);
  ASSERT_GE(row, 0);
  EXPECT_EQ(s.vmcsValue[row], 0x1000u);
  const GuestVmcs *g = s.guestVmcsAt(0x5000);
  ASSERT_TRUE(g);
  EXPECT_EQ(g->value[row], 0x2000u);
  EXPECT_EQ(g->changedSeq[row], 5u);
  EXPECT_FALSE(s.guestVmcsAt(0x6000));
}

TEST(DesktopMmuModes, TheTableNamesTheCliModes) {
  std::vector<std::string> names;
  for (const auto &m : mmuModeChoices()) {
    EXPECT_STREQ(m.name, mmuModeName(m.mode));
    names.emplace_back(m.name);
  }
  EXPECT_EQ(names, (std::vector<std::string>{"native", "shadow", "ept"}));
}

TEST(DesktopCheckpoint, PredictionsAreCheckedAgainstARealRun) {
  const auto lesson = lessons::loadLesson(kSource + "/lessons/00-hello");
  ASSERT_GE(lesson.checkpoints.size(), 2u);
  // The guest as the manifest runs it (lessons::runLessonGuest does the same; calling the
  // backend here also keeps the static link order simple).
  const auto &guest = *lesson.guest(lesson.checkpoints[0].guest);
  auto backend = createBackend("emu");
  RunConfig config;
  config.virt = guest.virt;
  config.vmxProfile = guest.profile;
  config.vmxOverrides = guest.vmxSet;
  backend->load(loadGuestImage(guest.file), config);
  backend->run();
  struct {
    std::vector<Event> events;
  } run{backend->trace().events()};
  // Checkpoint 0 counts IO_INSTRUCTION exits (30); checkpoint 1 names the last exit (HLT).
  auto v = checkPrediction(lesson.checkpoints[0], run.events, "30");
  EXPECT_TRUE(v.answered);
  EXPECT_TRUE(v.correct);
  EXPECT_EQ(v.traceSays, "30");
  v = checkPrediction(lesson.checkpoints[0], run.events, "31");
  EXPECT_FALSE(v.correct);
  EXPECT_EQ(v.traceSays, "30");
  EXPECT_FALSE(checkPrediction(lesson.checkpoints[0], run.events, "3x").correct);
  EXPECT_TRUE(checkPrediction(lesson.checkpoints[1], run.events, "HLT").correct);
  EXPECT_FALSE(checkPrediction(lesson.checkpoints[1], run.events, "TRIPLE_FAULT").correct);
  EXPECT_FALSE(checkPrediction(lesson.checkpoints[1], run.events, "x]").correct);
  // An empty trace has nothing to answer with.
  EXPECT_FALSE(checkPrediction(lesson.checkpoints[1], {}, "HLT").answered);
}

TEST(DesktopCheckpoint, WalkRefsAnswerSumsTheWholeTwoDimensionalWalk) {
  // Lesson 11's first walk, recorded from lessons/11-ept/ept.asm under --mmu ept.
  const auto events = readJsonl(kSource + "/tests/desktop/data/walk_lesson11.jsonl");
  lessons::Checkpoint c;
  c.answerWalkRefs = parseEventQuery("walk[gva=0x40000000,purpose=guest-tables]");
  c.answer = "24";
  auto v = checkPrediction(c, events, "24");
  EXPECT_TRUE(v.answered);
  EXPECT_TRUE(v.correct);
  EXPECT_EQ(v.traceSays, "24");
  EXPECT_FALSE(checkPrediction(c, events, "4").correct);
  EXPECT_FALSE(checkPrediction(c, {}, "24").answered);
}
