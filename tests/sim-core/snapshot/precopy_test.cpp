// Pre-copy live migration on the emu backend: the target's RAM and registers equal the
// source's at switch-over, the pages sent in round k are the dirty log's count from round
// k-1, and the working set decides whether the rounds converge.
#include "backend/backend.h"
#include "guest/image_loader.h"
#include "migration/precopy.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <cstring>

namespace ringside::test {
namespace {

GuestImage workingSet(uint32_t pages, uint32_t delay) {
  auto image = loadGuestImage((sourceDir() / "tests" / "guests" / "working_set.asm").string());
  auto &seg = image.segments.at(0);
  std::memcpy(seg.bytes.data() + 8, &pages, 4);
  std::memcpy(seg.bytes.data() + 12, &delay, 4);
  return image;
}

migration::Result migrateGuest(uint32_t pages, uint32_t delay, migration::Config c) {
  auto source = createBackend("emu");
  auto target = createBackend("emu");
  RunConfig rc;
  rc.ramMiB = 2;
  auto r = migration::migrate(workingSet(pages, delay), *source, *target, rc, c);
  // The target goes on from the switch-over point.
  EXPECT_EQ(target->resume(r.switchoverInstructions + 1000).stop.kind, StopKind::Budget);
  return r;
}

// 2 MiB of RAM at 256 MiB/s: round 0 takes 1/128 s, 15.6 K instructions at 2 MIPS.
migration::Config testConfig() {
  migration::Config c;
  c.bandwidthMiBps = 256;
  c.guestMips = 2;
  c.stopPages = 8;
  c.warmupInstructions = 5'000;
  return c;
}

TEST(PreCopy, SlowWritesConvergeAndTheTargetEqualsTheSource) {
  // About 300 instructions per page write: ~50 pages dirty in round 0, ~5 in round 1: the
  // rounds shrink geometrically.
  auto r = migrateGuest(200, 150, testConfig());
  EXPECT_EQ(r.stopReason, "converged");
  EXPECT_TRUE(r.memoryEqual);
  EXPECT_TRUE(r.registersEqual);
  ASSERT_GE(r.rounds.size(), 2u);
  EXPECT_EQ(r.rounds[0].pagesSent, 512u); // all of RAM
  for (size_t k = 1; k < r.rounds.size(); ++k)
    EXPECT_EQ(r.rounds[k].pagesSent, r.rounds[k - 1].dirtyPages) << "round " << k;
  EXPECT_EQ(r.stopCopyPages, r.rounds.back().dirtyPages);
  EXPECT_LE(r.stopCopyPages, 8u);
  EXPECT_GT(r.rounds[0].dirtyPages, 30u);
  EXPECT_LT(r.rounds[1].dirtyPages, r.rounds[0].dirtyPages);
  EXPECT_GT(r.downtimeSeconds, 0);
  EXPECT_LT(r.downtimeSeconds, r.totalSeconds);
}

TEST(PreCopy, LargeFastWorkingSetDoesNotConverge) {
  auto c = testConfig();
  c.maxRounds = 4;
  auto r = migrateGuest(200, 10, c);
  EXPECT_EQ(r.stopReason, "max-rounds");
  EXPECT_EQ(r.rounds.size(), 4u);
  EXPECT_TRUE(r.memoryEqual);
  EXPECT_TRUE(r.registersEqual);
  for (size_t k = 1; k < r.rounds.size(); ++k)
    EXPECT_EQ(r.rounds[k].pagesSent, r.rounds[k - 1].dirtyPages);
  EXPECT_GE(r.stopCopyPages, 200u); // the whole working set, every round
}

TEST(PreCopy, TheDirtyLogSeesEveryStore) {
  auto b = createBackend("emu");
  RunConfig rc;
  rc.ramMiB = 2;
  rc.maxInstructions = 50'000;
  b->load(workingSet(8, 1), rc);
  ASSERT_EQ(b->run().stop.kind, StopKind::Budget);
  b->setDirtyLogging(true);
  b->resume(100'000);
  auto dirty = b->fetchDirtyLog();
  std::vector<uint64_t> expect;
  for (uint64_t p = 0x100; p < 0x108; ++p)
    expect.push_back(p);
  uint32_t v = 0;
  b->readGuestPhysical(0x108000, &v, 4);
  EXPECT_EQ(dirty, expect) << "value at 0x108000: " << v; // the 8 working-set pages only
  EXPECT_TRUE(b->fetchDirtyLog().empty());                // fetching cleared it
}

} // namespace
} // namespace ringside::test
