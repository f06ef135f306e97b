// The 2-D walk: a 4-level guest under 4-level EPT. Pins the textbook reference counts
// (n·m + n + m: 24, 19 with 2 MiB EPT pages, 15 with 2 MiB pages on both sides, 14 for a
// 32-bit guest), the order of the references, and EPT exits taken in the middle of a walk.
#include "mmu/ept_builder.h"
#include "mmu/walk_2d.h"
#include "sim-core/mmu/guest_tables.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

using test::GuestTables;
using test::load64;
using test::store64;

// Guest RAM: GPA [0, 32 MiB) lives at HPA 4 GiB (so GPA ≠ HPA in every check).
constexpr uint64_t kRam = 32 << 20, kRamHost = 0x1'0000'0000, kPool = 0x2'0000'0000;
constexpr uint64_t kGuestTables = 0x10'0000; // guest's page-table pages (GPA)

class Walk2DTest : public ::testing::Test {
protected:
  Walk2DTest() : pages_(host_, kPool, 4 << 20), guestMem_(host_, {kRam, kRamHost}) {}
  /// The VMM's EPT: guest RAM at kRamHost with pages of `eptPage`.
  uint64_t buildEpt(uint64_t eptPage, bool ad = false) {
    builder_ = std::make_unique<EptBuilder>(pages_);
    builder_->map(0, kRamHost, kRam, eptPage);
    return builder_->eptp(ad);
  }
  Walk2D walk(uint64_t gva, uint64_t eptp, Access a = {}, uint32_t id = 7) {
    return walk2D(GuestTables::longMode(tables_.root()), EptContext(eptp), host_, gva, a, id);
  }

  HostMemory host_ = test::hostWithRam(kRamHost, kRam);
  PageAllocator pages_;
  GuestPhysicalView guestMem_;
  GuestTables tables_{guestMem_, kGuestTables};
  std::unique_ptr<EptBuilder> builder_;
};

TEST_F(Walk2DTest, FourLevelGuestUnderFourLevelEptMakes24References) {
  tables_.map(0x40'0000, 0x80'0000);
  const Walk2D w = walk(0x40'0123, buildEpt(4096));
  ASSERT_TRUE(w.ok()) << walk2DOutcomeName(w.outcome);
  EXPECT_EQ(w.gpa, 0x80'0123u);
  EXPECT_EQ(w.hpa, kRamHost + 0x80'0123);
  EXPECT_EQ(w.eptCount, 5); // gCR3, gPML4E → PDPT, PDPTE → PD, PDE → PT, final GPA
  EXPECT_EQ(w.guest.event.memoryRefs, 4);
  EXPECT_EQ(w.tableRefs(), 24u);
  EXPECT_EQ(w.totalRefs(), 25u);
  EXPECT_EQ(orderedRefs(w).size(), 25u);
}

TEST_F(Walk2DTest, TwoMiBEptPagesMake19) {
  tables_.map(0x40'0000, 0x80'0000);
  const Walk2D w = walk(0x40'0123, buildEpt(2 << 20));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.tableRefs(), 19u);
  EXPECT_EQ(w.eptPageSize, 2u << 20);
}

TEST_F(Walk2DTest, TwoMiBPagesOnBothSidesMake15) {
  tables_.map(0x40'0000, 0x80'0000, GuestTables::P | GuestTables::W, 2);
  const Walk2D w = walk(0x5F'FFFF, buildEpt(2 << 20));
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.pageSize, 2u << 20);
  EXPECT_EQ(w.gpa, 0x9F'FFFFu);
  EXPECT_EQ(w.tableRefs(), 15u);
  EXPECT_EQ(w.totalRefs(), 16u);
}

TEST_F(Walk2DTest, ThirtyTwoBitGuestMakes14) {
  // 32-bit paging: PD at GPA 0x20000, PT at 0x21000, VA 0x401000 → GPA 0x300000.
  const uint32_t pde = 0x21000 | 7, pte = 0x300000 | 7;
  guestMem_.write(0x20000 + 1 * 4, &pde, 4);
  guestMem_.write(0x21000 + 1 * 4, &pte, 4);
  const PagingState bits32{(1ull << 31) | 1, 0x20000, 0, 0};
  const Walk2D w = walk2D(bits32, EptContext(buildEpt(4096)), host_, 0x401234, Access{}, 1);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.gpa, 0x300234u);
  EXPECT_EQ(w.tableRefs(), 14u);
}

TEST_F(Walk2DTest, ReferencesComeInHardwareOrder) {
  tables_.map(0x40'0000, 0x80'0000);
  const uint64_t eptp = buildEpt(4096);
  const Walk2D w = walk(0x40'0123, eptp);
  const auto refs = orderedRefs(w);
  ASSERT_EQ(refs.size(), 25u);
  // Five groups: four EPT entries then one guest entry; the fifth EPT walk; then the data.
  for (unsigned group = 0; group < 5; ++group) {
    for (unsigned i = 0; i < 4; ++i) {
      const MemoryRef &r = refs[group * 5 + i];
      EXPECT_EQ(r.kind, MemoryRef::Kind::EptEntry) << group << "/" << i;
      EXPECT_EQ(r.level, 4 - i);
      EXPECT_EQ(r.eptWalk, group);
    }
    if (group < 4) {
      const MemoryRef &g = refs[group * 5 + 4];
      EXPECT_EQ(g.kind, MemoryRef::Kind::GuestEntry);
      EXPECT_EQ(g.level, 4 - group);
      EXPECT_EQ(g.address, tables_.entryAddress(0x40'0000, 4 - group));
    }
  }
  EXPECT_EQ(refs[24].kind, MemoryRef::Kind::Data);
  EXPECT_EQ(refs[24].address, kRamHost + 0x80'0123);
  // The first EPT walk translates gCR3 (the guest PML4's GPA); the last the data's GPA.
  EXPECT_EQ(w.ept[0].gva, tables_.root());
  EXPECT_EQ(w.ept[0].gpa, kRamHost + tables_.root());
  EXPECT_EQ(w.ept[4].gva, 0x80'0123u);
  // Every event carries the walk id, the guest walk comes last in trace order.
  const auto events = walkEvents(w);
  ASSERT_EQ(events.size(), 6u);
  for (const auto &e : events)
    EXPECT_EQ(e.walkId, 7u);
  EXPECT_EQ(events.back().purpose, WalkPurpose::GuestTables);
  EXPECT_EQ(events.front().purpose, WalkPurpose::Ept);
}

TEST_F(Walk2DTest, GuestPageFaultUnderEpt) {
  tables_.map(0x40'0000, 0x80'0000, GuestTables::P | GuestTables::U); // read-only
  const Walk2D w = walk(0x40'0010, buildEpt(4096), Access{true, true, false});
  ASSERT_EQ(w.outcome, Walk2DOutcome::PageFault);
  EXPECT_EQ(w.guest.errorCode, 0x7u); // P | W | U
  EXPECT_EQ(w.guest.cr2, 0x40'0010u);
  EXPECT_EQ(w.eptCount, 4); // no final translation
  EXPECT_EQ(w.tableRefs(), 20u);
  // Not present in the guest's PDPT: two EPT walks, two guest entries.
  const Walk2D np = walk(0x4000'0000, builder_->eptp());
  ASSERT_EQ(np.outcome, Walk2DOutcome::PageFault);
  EXPECT_EQ(np.guest.errorCode, 0u);
  EXPECT_EQ(np.tableRefs(), 10u);
}

TEST_F(Walk2DTest, EptViolationOnAGuestTableFetch) {
  tables_.map(0x40'0000, 0x80'0000);
  const uint64_t eptp = buildEpt(4096);
  // The VMM unmaps the guest's page directory page in EPT.
  const uint64_t pdGpa = tables_.entryAddress(0x40'0000, 2) & ~0xFFFull;
  store64(host_, builder_->entryAddress(pdGpa, 1), 0);
  const Walk2D w = walk(0x40'0000, eptp);
  ASSERT_EQ(w.outcome, Walk2DOutcome::EptViolation);
  EXPECT_EQ(w.faultGpa, tables_.entryAddress(0x40'0000, 2));
  // A data read (bit 0), not present (bits 5:3 = 0), GLA valid (bit 7), a paging-structure
  // access (bit 8 clear): 0x81.
  EXPECT_EQ(w.qualification, 0x81u);
  EXPECT_EQ(w.eptCount, 3);
  EXPECT_EQ(w.ept[2].exitReason, kExitEptViolation);
  EXPECT_EQ(w.guest.event.stepCount, 2) << "the PDE read never happened";
  EXPECT_EQ(w.tableRefs(), 4u + 1 + 4 + 1 + 4);
}

TEST_F(Walk2DTest, EptViolationOnTheFinalAccessAndOnGuestAccessedFlags) {
  tables_.map(0x40'0000, 0x80'0000);
  const uint64_t eptp = buildEpt(4096);
  const uint64_t leaf = builder_->entryAddress(0x80'0000, 1);
  store64(host_, leaf, load64(host_, leaf) & ~2ull); // data page read/execute only
  const Walk2D w = walk(0x40'0008, eptp, Access{true, false, false});
  ASSERT_EQ(w.outcome, Walk2DOutcome::EptViolation);
  EXPECT_EQ(w.faultGpa, 0x80'0008u);
  EXPECT_EQ(w.qualification, 0x2u | 0x8 | 0x20 | 0x180); // write; R, X; final translation
  EXPECT_EQ(w.tableRefs(), 24u);

  // The guest's PT page read-only in EPT: reading works until the walker must set A in the
  // PTE, which is a write to a paging structure (bit 1, bit 7, bit 8 clear).
  const uint64_t ptGpa = tables_.entryAddress(0x50'0000, 1) & ~0xFFFull;
  tables_.map(0x50'0000, 0x90'0000);
  const uint64_t ptLeaf = builder_->entryAddress(ptGpa, 1);
  store64(host_, ptLeaf, load64(host_, ptLeaf) & ~2ull);
  const Walk2D ad = walk(0x50'0000, eptp);
  ASSERT_EQ(ad.outcome, Walk2DOutcome::EptViolation);
  EXPECT_EQ(ad.qualification, 0x2u | 0x8 | 0x20 | 0x80);
  EXPECT_EQ(ad.faultGpa & ~0xFFFull, ptGpa);
  // The write reuses the translation made for the read: no new references, and the exit is
  // carried by a step-less EPT event after the four that served the reads.
  EXPECT_EQ(ad.tableRefs(), 20u);
  ASSERT_EQ(ad.eptCount, 5);
  EXPECT_EQ(ad.ept[4].stepCount, 0);
  EXPECT_EQ(ad.ept[4].exitReason, kExitEptViolation);
  EXPECT_EQ(ad.ept[4].faultCode, 0xAAu);
  EXPECT_TRUE(ad.ept[4].write);
}

TEST_F(Walk2DTest, EptAccessedDirtyTreatsTableReadsAsWrites) {
  tables_.map(0x40'0000, 0x80'0000);
  const uint64_t eptp = buildEpt(4096, /*ad=*/true);
  const uint64_t rootLeaf = builder_->entryAddress(tables_.root(), 1);
  ASSERT_TRUE(walk(0x40'0000, eptp).ok());
  EXPECT_TRUE(load64(host_, rootLeaf) & ept::kDirty) << "a guest table page is dirtied";
  const uint64_t dataLeaf = builder_->entryAddress(0x80'0000, 1);
  EXPECT_EQ(load64(host_, dataLeaf) & (ept::kAccessed | ept::kDirty), ept::kAccessed);
  // With the guest PML4 page read-only in EPT the very first reference is a violation,
  // reported as read and write (bits 0 and 1).
  store64(host_, rootLeaf, load64(host_, rootLeaf) & ~2ull);
  const Walk2D w = walk(0x40'0000, eptp);
  ASSERT_EQ(w.outcome, Walk2DOutcome::EptViolation);
  EXPECT_EQ(w.qualification, 0x3u | 0x8 | 0x20 | 0x80);
  EXPECT_EQ(w.tableRefs(), 4u);
}

TEST_F(Walk2DTest, MisconfigurationAndNonCanonical) {
  tables_.map(0x40'0000, 0x80'0000);
  const uint64_t eptp = buildEpt(4096);
  const uint64_t leaf = builder_->entryAddress(0x80'0000, 1);
  store64(host_, leaf, (load64(host_, leaf) & ~0x38ull) | (7u << 3)); // memory type 7
  const Walk2D w = walk(0x40'0000, eptp);
  EXPECT_EQ(w.outcome, Walk2DOutcome::EptMisconfig);
  EXPECT_EQ(w.faultGpa, 0x80'0000u);
  EXPECT_EQ(w.ept[w.eptCount - 1].exitReason, kExitEptMisconfig);

  const Walk2D gp = walk(0x0000'8000'0000'0000, eptp);
  EXPECT_EQ(gp.outcome, Walk2DOutcome::GeneralProtection);
  EXPECT_EQ(gp.tableRefs(), 0u);
}

TEST_F(Walk2DTest, PagingOffIsOneEptWalk) {
  const PagingState off{};
  const Walk2D w = walk2D(off, EptContext(buildEpt(4096)), host_, 0x1234, Access{}, 0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(w.hpa, kRamHost + 0x1234);
  EXPECT_EQ(w.tableRefs(), 4u);
}

} // namespace
} // namespace ringside
