// Page walker tests for 4-level paging: hand-built tables in a sparse fake memory. Expected
// table addresses, indices and entries are computed by hand in the comments.
#include "sim-core/mmu/walker_fixture.h"

#include <array>

namespace ringside {
namespace {

using namespace test;

// Tables: PML4 0x10000; VA 0x400000 → PDPT 0x11000 → PD 0x12000 → PT 0x13000 → PA 0x200000.
void buildLongChain(FakeMemory &mem) {
  mem.put64(0x10000 + 0 * 8, 0x11000 | P | W | U);
  mem.put64(0x11000 + 0 * 8, 0x12000 | P | W | U);
  mem.put64(0x12000 + 2 * 8, 0x13000 | P | W | U);
  mem.put64(0x13000 + 0 * 8, 0x200000 | P | W | U);
}
constexpr std::array<uint64_t, 4> kLongChainEntries{0x10000, 0x11000, 0x12010, 0x13000};

class Long4Walk : public WalkerTest {
protected:
  void SetUp() override {
    state_ = {kPg, 0x10000, kPae, kLme | kLma | kNxe};
    buildLongChain(mem_);
    mem_.put64(0x12000 + 3 * 8, 0x80000000 | PS | P | W | U);      // VA 0x600000: 2 MiB
    mem_.put64(0x13000 + 2 * 8, (1ull << 45) | 0x203000 | P | W);  // bit 45 ≥ MAXPHYADDR
    mem_.put64(0x10000 + 1 * 8, 0x17000 | P | W | U);              // VA 0x80'0000'0000
    mem_.put64(0x17000 + 0 * 8, 0x40000000 | PS | P | W | U);      // 1 GiB page
    mem_.put64(0x17000 + 1 * 8, 0x80000000 | (1u << 13) | PS | P); // bit 13 reserved in 1 GiB
    mem_.put64(0x10000 + 2 * 8, 0x18000 | PS | P);                 // PS reserved in a PML4E
    mem_.put64(0x10000 + 4 * 8, 0x9'0000'0000 | P | W | U);        // PDPT outside RAM
    // VA 0x4000'0000: PDPTE without U.  VA 0x8000'0000: PDPTE without W.
    mem_.put64(0x11000 + 1 * 8, 0x1A000 | P | W);
    mem_.put64(0x1A000, 0x1C000 | P | W | U);
    mem_.put64(0x1C000, 0x500000 | P | W | U);
    mem_.put64(0x11000 + 2 * 8, 0x1B000 | P | U);
    mem_.put64(0x1B000, 0x1E000 | P | W | U);
    mem_.put64(0x1E000, 0x600000 | P | W | U);
    // VA 0x180'0000'0000: XD in the PML4E only.
    mem_.put64(0x10000 + 3 * 8, XD | 0x19000 | P | W | U);
    mem_.put64(0x19000, 0x1F000 | P | W | U);
    mem_.put64(0x1F000, 0x20000 | P | W | U);
    mem_.put64(0x20000, 0x700000 | P | W | U);
    // VA 0xFFFF8000'00201000: indices 256, 0, 1, 1.
    mem_.put64(0x10000 + 256 * 8, 0x14000 | P | W);
    mem_.put64(0x14000 + 0 * 8, 0x15000 | P | W);
    mem_.put64(0x15000 + 1 * 8, 0x16000 | P | W);
    mem_.put64(0x16000 + 1 * 8, 0xABC000 | P | W);
  }
};

TEST_F(Long4Walk, TranslatesAndRecordsSteps) {
  auto low = walk(0x400123);
  ASSERT_TRUE(low.ok);
  EXPECT_EQ(low.pa, 0x200123u);

  auto t = walk(0xFFFF'8000'0020'1234);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pa, 0xABC234u);
  EXPECT_FALSE(t.user);
  EXPECT_EQ(t.event.mode, WalkMode::Long4);
  EXPECT_EQ(t.event.gva, 0xFFFF'8000'0020'1234u);
  EXPECT_EQ(t.event.stepCount, 4);
  EXPECT_EQ(t.event.memoryRefs, 4);
  expectStep(t.event, 0, 4, 0x10000, 256, 0x14003);
  expectStep(t.event, 1, 3, 0x14000, 0, 0x15003);
  expectStep(t.event, 2, 2, 0x15000, 1, 0x16003);
  expectStep(t.event, 3, 1, 0x16000, 1, 0xABC003);
}

TEST_F(Long4Walk, LargePages) {
  auto mid = walk(0x6ABCDE);
  ASSERT_TRUE(mid.ok);
  EXPECT_EQ(mid.pa, 0x800ABCDEu);
  EXPECT_EQ(mid.pageSize, 2u << 20);
  EXPECT_EQ(mid.event.stepCount, 3);

  auto huge = walk(0x80'0001'2345);
  ASSERT_TRUE(huge.ok);
  EXPECT_EQ(huge.pa, 0x4001'2345u);
  EXPECT_EQ(huge.pageBase, 0x4000'0000u);
  EXPECT_EQ(huge.pageSize, 1u << 30);
  EXPECT_EQ(huge.event.pageSize, 1u << 30);
  EXPECT_EQ(huge.event.stepCount, 2);
}

TEST_F(Long4Walk, ReservedBits) {
  auto pml4 = walk(0x100'0000'0000);
  EXPECT_EQ(pml4.errorCode, pf::Present | pf::Reserved);
  EXPECT_EQ(pml4.event.stepCount, 1);
  EXPECT_EQ(walk(0x80'4000'0000).errorCode, pf::Present | pf::Reserved);
  EXPECT_EQ(walk(0x402000, kUserWrite).errorCode,
            pf::Present | pf::Reserved | pf::Write | pf::User);
}

TEST_F(Long4Walk, NotPresentAtEachLevel) {
  for (unsigned i = 0; i < kLongChainEntries.size(); ++i) {
    SCOPED_TRACE("level " + std::to_string(4 - i));
    FakeMemory mem;
    buildLongChain(mem);
    mem.put64(kLongChainEntries[i], 0);
    auto t = translate(state_, mem, 0x400000, kUserWrite);
    ASSERT_FALSE(t.ok);
    EXPECT_EQ(t.errorCode, pf::Write | pf::User);
    EXPECT_EQ(t.event.stepCount, i + 1);
    EXPECT_EQ(t.event.steps[i].level, 4 - i);
    EXPECT_EQ(t.event.steps[i].entry, 0u);
    EXPECT_TRUE(mem.writes().empty());
  }
}

TEST_F(Long4Walk, UnbackedTableIsNotPresent) {
  auto t = walk(0x200'0000'0000, kFetch);
  ASSERT_FALSE(t.ok);
  EXPECT_EQ(t.errorCode, pf::Fetch);
  EXPECT_EQ(t.event.memoryRefs, 2);
  expectStep(t.event, 1, 3, 0x9'0000'0000, 0, 0);
}

TEST_F(Long4Walk, PermissionsAreAndedOverLevels) {
  EXPECT_EQ(walk(0x4000'0000, kUserRead).errorCode, pf::Present | pf::User);
  auto sup = walk(0x4000'0000, kRead);
  ASSERT_TRUE(sup.ok);
  EXPECT_FALSE(sup.user);

  EXPECT_EQ(walk(0x8000'0000, kUserWrite).errorCode, pf::Present | pf::User | pf::Write);
  EXPECT_TRUE(walk(0x8000'0000, kUserRead).ok);
  auto supWrite = walk(0x8000'0000, kWrite);
  ASSERT_TRUE(supWrite.ok);
  EXPECT_FALSE(supWrite.writable);
  state_.cr0 |= kWp;
  EXPECT_EQ(walk(0x8000'0000, kWrite).errorCode, pf::Present | pf::Write);
}

TEST_F(Long4Walk, ExecuteDisableIsOredOverLevels) {
  EXPECT_EQ(walk(0x180'0000'0000, kFetch).errorCode, pf::Present | pf::Fetch);
  EXPECT_EQ(walk(0x180'0000'0000, kUserFetch).errorCode, pf::Present | pf::Fetch | pf::User);
  EXPECT_FALSE(walk(0x180'0000'0000, kRead).executable);
  EXPECT_TRUE(walk(0x400000, kFetch).executable);
  state_.efer &= ~kNxe;
  auto t = walk(0x180'0000'0000, kFetch);
  EXPECT_EQ(t.errorCode, pf::Present | pf::Reserved);
  EXPECT_EQ(t.event.stepCount, 1);
}

TEST_F(Long4Walk, AccessedAndDirty) {
  auto read = walk(0x400000);
  ASSERT_TRUE(read.ok);
  EXPECT_FALSE(read.dirty);
  EXPECT_EQ(mem_.writes().size(), 4u);
  for (uint64_t pa : kLongChainEntries)
    EXPECT_EQ(mem_.get64(pa) & (A | D), A) << std::hex << pa;

  mem_.clearWrites();
  ASSERT_TRUE(walk(0x400000, kWrite).dirty);
  ASSERT_EQ(mem_.writes().size(), 1u);
  EXPECT_EQ(mem_.writes()[0].pa, 0x13000u);
  EXPECT_EQ(mem_.get64(0x13000), 0x200000u | P | W | U | A | D);

  mem_.clearWrites();
  EXPECT_TRUE(walk(0x400000, kWrite).ok);
  EXPECT_TRUE(mem_.writes().empty()); // nothing changed, nothing written
}

TEST_F(Long4Walk, DirtyGoesToLargePageLeafOnly) {
  mem_.put64(0x10000, 0x11000 | P | W | U | A); // already accessed: not rewritten
  ASSERT_TRUE(walk(0x600000, kWrite).ok);
  EXPECT_EQ(mem_.writes().size(), 2u);
  EXPECT_EQ(mem_.get64(0x11000), 0x12000u | P | W | U | A);
  EXPECT_EQ(mem_.get64(0x12018), 0x80000000u | PS | P | W | U | A | D);
}

TEST_F(Long4Walk, NoAccessedDirtyOnFailure) {
  EXPECT_FALSE(walk(0x402000).ok);
  EXPECT_FALSE(walk(0x8000'0000, kUserWrite).ok);
  EXPECT_TRUE(mem_.writes().empty());
  EXPECT_EQ(mem_.get64(0x10000), 0x11000u | P | W | U);
}

} // namespace
} // namespace ringside
