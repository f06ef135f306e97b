// The shadow-paging model on a guest that builds an address space, edits a PTE, INVLPGs and
// switches CR3: which accesses exit, which faults are hidden (fixed by the VMM) and which are
// true (reflected to the guest), and what the cost counters say. Counts are worked out step by
// step in the comments.
#include "mmu/shadow_pager.h"
#include "sim-core/mmu/guest_tables.h"

#include <gtest/gtest.h>

#include <memory>
#include <vector>

namespace ringside {
namespace {

using test::GuestTables;
using test::load64;

constexpr uint64_t kRam = 16 << 20, kRamHost = 0x1'0000'0000, kPool = 0x3'0000'0000;
constexpr uint64_t P = GuestTables::P, W = GuestTables::W, U = GuestTables::U;
constexpr Access kRead{}, kWrite{true, false, false}, kUserWrite{true, true, false};

class ShadowTest : public ::testing::Test {
protected:
  explicit ShadowTest(ShadowConfig config = {})
      : pages_(host_, kPool, 1 << 20), guestMem_(host_, {kRam, kRamHost}),
        shadow_(host_, {kRam, kRamHost}, pages_, config) {
    // Address space A: a user page, a read-only user page, and a kernel window onto the page
    // table that maps 0x400000 (so the guest can edit that PTE through a virtual address).
    a_.map(0x40'0000, 0x80'0000, P | W | U);
    a_.map(0x40'1000, 0x80'1000, P | U);
    ptOfA_ = a_.entryAddress(0x40'0000, 1) & ~0xFFFull;
    a_.map(0x60'0000, ptOfA_, P | W);
    b_.map(0x40'0000, 0x90'0000, P | W | U); // address space B: the same VA elsewhere
    shadow_.setPaging(GuestTables::longMode(a_.root()));
  }
  ShadowAccess store(uint64_t va, uint64_t value, Access a = kWrite) {
    return shadow_.access(va, a, &value, sizeof value);
  }

  HostMemory host_ = test::hostWithRam(kRamHost, kRam);
  PageAllocator pages_;
  GuestPhysicalView guestMem_;
  GuestTables a_{guestMem_, 0x10'0000};
  GuestTables b_{guestMem_, 0x20'0000};
  uint64_t ptOfA_ = 0;
  ShadowPager shadow_;
};

TEST_F(ShadowTest, HiddenAndTrueFaultsThroughPteEditInvlpgAndCr3Switch) {
  const ShadowCounters &c = shadow_.counters();
  // 1. First touch: the shadow is empty, the guest maps it: one exit, a hidden fault.
  ShadowAccess r = shadow_.access(0x40'0010, kRead);
  ASSERT_TRUE(r.ok);
  EXPECT_TRUE(r.hiddenFault);
  EXPECT_EQ(r.hpa, kRamHost + 0x80'0010);
  EXPECT_EQ(r.gpa, 0x80'0010u);
  EXPECT_EQ(c.exits, 1u);
  EXPECT_EQ(c.tablesAllocated, 4u); // shadow PML4, PDPT, PD, PT
  EXPECT_EQ(c.entriesBuilt, 4u);
  EXPECT_TRUE(shadow_.writeProtected(ptOfA_));
  EXPECT_TRUE(shadow_.writeProtected(a_.root()));
  // 2. Again: the processor's walk of the shadow tables succeeds, no exit.
  r = shadow_.access(0x40'0010, kRead);
  EXPECT_TRUE(r.ok && !r.hiddenFault);
  EXPECT_EQ(r.shadowWalk.purpose, WalkPurpose::Shadow);
  EXPECT_EQ(r.shadowWalk.memoryRefs, 4);
  EXPECT_EQ(c.exits, 1u);
  // 3. First write: the shadow entry is read-only until the guest's D bit is set: hidden.
  r = store(0x40'0000, 0x1122334455667788);
  EXPECT_TRUE(r.ok && r.hiddenFault);
  EXPECT_EQ(load64(host_, kRamHost + 0x80'0000), 0x1122334455667788u);
  EXPECT_TRUE(load64(guestMem_, a_.entryAddress(0x40'0000, 1)) & 0x40) << "guest D set";
  EXPECT_EQ(c.exits, 2u);
  EXPECT_TRUE(store(0x40'0008, 1).ok);
  EXPECT_EQ(c.exits, 2u) << "now writable in the shadow";
  // 4. A user write to a read-only page: a true fault, #PF(P|W|U) with CR2.
  r = shadow_.access(0x40'1004, kUserWrite);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.trueFault);
  EXPECT_EQ(r.errorCode, 7u);
  EXPECT_EQ(r.cr2, 0x40'1004u);
  // 5. An unmapped page: #PF(0).
  r = shadow_.access(0x50'0000, kRead);
  EXPECT_TRUE(r.trueFault);
  EXPECT_EQ(r.errorCode, 0u);
  EXPECT_EQ(c.trueFaults, 2u);
  EXPECT_EQ(c.exits, 4u);
  // 6. The guest edits the PTE of 0x400000 through its kernel window: the page table is
  //    write-protected, so the write exits and is emulated; the derived shadow entry goes.
  r = store(0x60'0000, 0x81'0000 | P | W | U);
  EXPECT_TRUE(r.ok && r.emulated);
  EXPECT_EQ(load64(guestMem_, ptOfA_), 0x81'0000u | P | W | U);
  EXPECT_EQ(c.emulatedWrites, 1u);
  EXPECT_EQ(c.exits, 5u);
  // 7. The next access sees the new frame (a hidden fault rebuilds the entry).
  r = shadow_.access(0x40'0000, kRead);
  EXPECT_TRUE(r.hiddenFault);
  EXPECT_EQ(r.hpa, kRamHost + 0x81'0000);
  // 8. INVLPG exits and resyncs that one entry.
  shadow_.invlpg(0x40'0000);
  EXPECT_EQ(c.resynced, 1u);
  EXPECT_EQ(c.exits, 7u);
  // 9. MOV CR3 to address space B: a new shadow root; its first touch is a hidden fault.
  shadow_.movCr3(b_.root());
  EXPECT_EQ(c.rootsBuilt, 2u);
  r = shadow_.access(0x40'0000, kRead);
  EXPECT_TRUE(r.hiddenFault);
  EXPECT_EQ(r.hpa, kRamHost + 0x90'0000);
  // 10. Back to A: the cached root is still right (its tables were write-protected).
  shadow_.movCr3(a_.root());
  EXPECT_EQ(c.rootsReused, 1u);
  r = shadow_.access(0x40'0000, kRead);
  EXPECT_TRUE(r.ok && !r.hiddenFault);
  EXPECT_EQ(r.hpa, kRamHost + 0x81'0000);

  EXPECT_EQ(c.exits, 10u);
  EXPECT_EQ(c.hiddenFaults, 5u);
  EXPECT_EQ(c.trueFaults, 2u);
}

TEST_F(ShadowTest, NonCanonicalIsATrueGeneralProtectionFault) {
  const ShadowAccess r = shadow_.access(0x0000'8000'0000'0000, kRead);
  EXPECT_TRUE(r.trueFault && r.generalProtection);
  EXPECT_EQ(shadow_.counters().exits, 0u);
}

TEST_F(ShadowTest, GuestMappingOutsideRamIsReported) {
  a_.map(0x70'0000, 0x4000'0000, P | W); // GPA 1 GiB: no RAM there
  const ShadowAccess r = shadow_.access(0x70'0000, kRead);
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.notRam);
  EXPECT_FALSE(r.trueFault);
}

TEST_F(ShadowTest, AGuestRewritingItsPageTableInALoopCostsBoundedWork) {
  ASSERT_TRUE(shadow_.access(0x40'0000, kRead).ok);
  const uint64_t pagesBefore = pages_.pagesUsed();
  for (uint64_t i = 0; i < 1000; ++i) {
    ASSERT_TRUE(store(0x60'0000, (0x80'0000 + ((i & 7) << 12)) | P | W | U).emulated);
    ASSERT_TRUE(shadow_.access(0x40'0000, kRead).hiddenFault);
  }
  const ShadowCounters &c = shadow_.counters();
  EXPECT_EQ(c.emulatedWrites, 1000u);
  EXPECT_EQ(c.exits, 1u + 2000u);
  EXPECT_EQ(pages_.pagesUsed(), pagesBefore) << "no shadow table is leaked";
  EXPECT_EQ(shadow_.shadowLeaves(), 1u);
}

TEST_F(ShadowTest, RootCacheIsBoundedAndReleasesItsTables) {
  // Eight address spaces cycled through a four-root cache: roots are evicted and their
  // table pages reused, so the pool does not grow after the first round.
  std::vector<std::unique_ptr<GuestTables>> spaces;
  for (uint64_t i = 0; i < 8; ++i) {
    spaces.push_back(std::make_unique<GuestTables>(guestMem_, 0x30'0000 + i * 0x10'000));
    spaces.back()->map(0x40'0000, 0xA0'0000 + (i << 12), P | W | U);
  }
  uint64_t afterFirstRound = 0;
  for (int round = 0; round < 3; ++round) {
    for (uint64_t i = 0; i < 8; ++i) {
      shadow_.movCr3(spaces[i]->root());
      ASSERT_EQ(shadow_.access(0x40'0000, kRead).hpa, kRamHost + 0xA0'0000 + (i << 12));
    }
    if (round == 0)
      afterFirstRound = pages_.pagesUsed();
  }
  EXPECT_EQ(pages_.pagesUsed(), afterFirstRound);
  EXPECT_LE(pages_.pagesUsed(), 4u * 4);
}

class UnsyncShadowTest : public ShadowTest {
protected:
  UnsyncShadowTest() : ShadowTest(ShadowConfig{4, true}) {}
};

TEST_F(UnsyncShadowTest, LeafTablesStayWritableAndResyncAtInvlpgAndCr3) {
  const ShadowCounters &c = shadow_.counters();
  ASSERT_TRUE(shadow_.access(0x40'0000, kRead).ok);
  EXPECT_FALSE(shadow_.writeProtected(ptOfA_)) << "the PT is unsynced, not protected";
  EXPECT_TRUE(shadow_.writeProtected(a_.root()));
  // The PTE edit costs one hidden fault to map the window, then no exit at all.
  ASSERT_TRUE(store(0x60'0000, 0x81'0000 | P | W | U).ok);
  EXPECT_EQ(c.emulatedWrites, 0u);
  const uint64_t exits = c.exits;
  EXPECT_TRUE(store(0x60'0000, 0x81'0000 | P | W | U | 0x20).ok);
  EXPECT_EQ(c.exits, exits);
  // The shadow is stale until the guest says so (as a TLB would be): still the old frame.
  EXPECT_EQ(shadow_.access(0x40'0000, kRead).hpa, kRamHost + 0x80'0000);
  shadow_.invlpg(0x40'0000);
  EXPECT_EQ(shadow_.access(0x40'0000, kRead).hpa, kRamHost + 0x81'0000);
  // Edit again, switch away and back: MOV CR3 resyncs the unsynced entries of the root.
  ASSERT_TRUE(store(0x60'0000, 0x82'0000 | P | W | U).ok);
  shadow_.movCr3(b_.root());
  const uint64_t before = c.resynced;
  shadow_.movCr3(a_.root());
  EXPECT_GE(c.resynced, before + 1);
  const ShadowAccess r = shadow_.access(0x40'0000, kRead);
  EXPECT_FALSE(r.hiddenFault);
  EXPECT_EQ(r.hpa, kRamHost + 0x82'0000);
}

} // namespace
} // namespace ringside
