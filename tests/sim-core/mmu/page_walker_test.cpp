// Page walker tests: hand-built tables in a sparse fake memory, one fixture per paging mode
// (4-level paging is in page_walker_long_test.cpp). Expected table addresses, indices and
// entries are computed by hand in the comments.
#include "sim-core/mmu/walker_fixture.h"

namespace ringside {
namespace {

using namespace test;

TEST(PageWalkerMode, SelectsModeFromControlRegisters) {
  EXPECT_EQ(pagingMode({0, 0, kPae, kLma}), PagingMode::None);
  EXPECT_EQ(pagingMode({kPg, 0, 0, 0}), PagingMode::Bits32);
  EXPECT_EQ(pagingMode({kPg, 0, kPse, 0}), PagingMode::Bits32);
  EXPECT_EQ(pagingMode({kPg, 0, kPae, 0}), PagingMode::Pae);
  EXPECT_EQ(pagingMode({kPg, 0, kPae, kLme}), PagingMode::Pae); // LME alone is not long mode
  EXPECT_EQ(pagingMode({kPg, 0, kPae, kLme | kLma}), PagingMode::Long4);
}

TEST(PageWalkerOff, IsIdentityWithoutSteps) {
  FakeMemory mem;
  auto t = translate({0, 0x1000, 0, 0}, mem, 0x1'2345'6789, kUserWrite);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pa, 0x2345'6789u); // 32-bit addresses outside long mode
  EXPECT_EQ(t.pageBase, 0x2345'6000u);
  EXPECT_EQ(t.pageSize, 4096u);
  EXPECT_TRUE(t.writable && t.user && t.executable);
  EXPECT_TRUE(t.event.ok);
  EXPECT_EQ(t.event.gva, 0x1'2345'6789u);
  EXPECT_EQ(t.event.gpa, 0x2345'6789u);
  EXPECT_EQ(t.event.stepCount, 0);
  EXPECT_EQ(t.event.memoryRefs, 0);
  EXPECT_TRUE(t.event.write && t.event.user && !t.event.fetch);
  EXPECT_TRUE(mem.writes().empty());
  EXPECT_EQ(translate({0, 0, 0, kLma}, mem, 0x1'2345'6789, kRead).pa, 0x1'2345'6789u);
}

// ---- 32-bit paging ---------------------------------------------------------------------------
class Bits32Walk : public WalkerTest {
protected:
  void SetUp() override {
    state_ = {kPg, 0x1000, kPse, 0};
    mem_.put32(0x1000 + 1 * 4, 0x2000 | P | W | U);    // PD[1]: VA 0x400000.. → PT 0x2000
    mem_.put32(0x2000 + 0 * 4, 0x200000 | P | W | U);  // PT[0]: VA 0x400000 → PA 0x200000
    mem_.put32(0x2000 + 1 * 4, 0x305000 | P);          // PT[1]: supervisor, read-only
    mem_.put32(0x1000 + 2 * 4, 0xC00000 | PS | P | W); // PD[2]: VA 0x800000, 4 MiB page
    mem_.put32(0x1000 + 3 * 4, 0x400000 | (0x12 << 13) | PS | P | W | U); // PSE-36 → 0x12'0040'0000
    mem_.put32(0x1000 + 4 * 4, 0x1000000 | (1u << 21) | PS | P);          // bit 21 reserved
  }
};

TEST_F(Bits32Walk, TranslatesAndRecordsSteps) {
  auto t = walk(0x400123);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pa, 0x200123u);
  EXPECT_EQ(t.pageBase, 0x200000u);
  EXPECT_EQ(t.pageSize, 4096u);
  EXPECT_TRUE(t.writable && t.user && t.executable);
  const auto &e = t.event;
  EXPECT_EQ(e.mode, WalkMode::Bits32);
  EXPECT_EQ(e.purpose, WalkPurpose::GuestTables);
  EXPECT_EQ(e.gva, 0x400123u);
  EXPECT_TRUE(e.ok);
  EXPECT_EQ(e.gpa, 0x200123u);
  EXPECT_EQ(e.pageSize, 4096u);
  EXPECT_EQ(e.stepCount, 2);
  EXPECT_EQ(e.memoryRefs, 2);
  expectStep(e, 0, 2, 0x1000, 1, 0x2007); // VA[31:22] = 1, entry as read (before A is set)
  expectStep(e, 1, 1, 0x2000, 0, 0x200007);

  auto ro = walk(0x401ABC);
  ASSERT_TRUE(ro.ok);
  EXPECT_EQ(ro.pa, 0x305ABCu);
  EXPECT_FALSE(ro.writable);
  EXPECT_FALSE(ro.user);
}

TEST_F(Bits32Walk, FourMiBPagesAndPse36) {
  auto big = walk(0x812345);
  ASSERT_TRUE(big.ok);
  EXPECT_EQ(big.pa, 0xC12345u);
  EXPECT_EQ(big.pageBase, 0xC00000u);
  EXPECT_EQ(big.pageSize, 4u << 20);
  EXPECT_EQ(big.event.stepCount, 1);

  auto high = walk(0xC00ABC, kUserRead);
  ASSERT_TRUE(high.ok);
  EXPECT_EQ(high.pa, 0x12'0040'0ABCu); // PDE bits 20:13 = 0x12 → PA bits 39:32
  EXPECT_EQ(high.pageBase, 0x12'0040'0000u);
}

TEST_F(Bits32Walk, PsIsIgnoredWithoutPse) {
  state_.cr4 = 0;
  // PD[2] now points to a page table at 0xC00000, which is not RAM: a not-present fault.
  auto t = walk(0x812345);
  ASSERT_FALSE(t.ok);
  EXPECT_EQ(t.errorCode, 0u);
  EXPECT_EQ(t.event.stepCount, 2);
  EXPECT_EQ(t.event.memoryRefs, 2);
  expectStep(t.event, 1, 1, 0xC00000, 0x12, 0);
}

TEST_F(Bits32Walk, ReservedBitInFourMiBPde) {
  EXPECT_EQ(walk(0x1000000).errorCode, pf::Present | pf::Reserved);
  EXPECT_EQ(walk(0x1000000, kUserWrite).errorCode,
            pf::Present | pf::Reserved | pf::Write | pf::User);
}

TEST_F(Bits32Walk, NotPresentAtEachLevel) {
  auto pde = walk(0x0, kUserWrite);
  ASSERT_FALSE(pde.ok);
  EXPECT_EQ(pde.errorCode, pf::Write | pf::User);
  EXPECT_EQ(pde.event.faultCode, pde.errorCode);
  EXPECT_FALSE(pde.event.ok);
  EXPECT_EQ(pde.event.stepCount, 1);
  expectStep(pde.event, 0, 2, 0x1000, 0, 0);

  auto pte = walk(0x402000);
  ASSERT_FALSE(pte.ok);
  EXPECT_EQ(pte.errorCode, 0u);
  EXPECT_EQ(pte.event.stepCount, 2);
  expectStep(pte.event, 1, 1, 0x2000, 2, 0);
  // No execute-disable in 32-bit paging, so a fetch fault does not report I/D.
  EXPECT_EQ(walk(0x402000, kFetch).errorCode, 0u);
}

TEST_F(Bits32Walk, UserAndWriteProtection) {
  EXPECT_EQ(walk(0x401000, kUserRead).errorCode, pf::Present | pf::User);
  EXPECT_EQ(walk(0x401000, kUserWrite).errorCode, pf::Present | pf::User | pf::Write);
  EXPECT_TRUE(walk(0x401000, kWrite).ok); // CR0.WP=0: the supervisor may write read-only pages
  state_.cr0 |= kWp;
  EXPECT_EQ(walk(0x401000, kWrite).errorCode, pf::Present | pf::Write);
  EXPECT_TRUE(walk(0x400000, kUserWrite).ok);
  EXPECT_TRUE(walk(0x400000, kUserFetch).executable);
}

TEST_F(Bits32Walk, AccessedAndDirtyUseFourByteEntries) {
  ASSERT_TRUE(walk(0x400000).ok);
  EXPECT_EQ(mem_.get32(0x1004), 0x2000u | P | W | U | A);
  EXPECT_EQ(mem_.get32(0x2000), 0x200000u | P | W | U | A);
  EXPECT_EQ(mem_.get32(0x2004), 0x305000u | P); // the neighbouring entry is untouched
  ASSERT_EQ(mem_.writes().size(), 2u);
  EXPECT_EQ(mem_.writes()[0].size, 4u);

  mem_.clearWrites();
  auto t = walk(0x400000, kWrite);
  ASSERT_TRUE(t.ok);
  EXPECT_TRUE(t.dirty);
  EXPECT_EQ(mem_.get32(0x2000), 0x200000u | P | W | U | A | D);
  EXPECT_EQ(mem_.get32(0x1004), 0x2000u | P | W | U | A); // D only in the leaf
  ASSERT_EQ(mem_.writes().size(), 1u);                    // only the entry that changed
  EXPECT_EQ(mem_.writes()[0].pa, 0x2000u);
}

TEST_F(Bits32Walk, NoAccessedOrDirtyOnFailureOrWhenDisabled) {
  EXPECT_FALSE(walk(0x401000, kUserWrite).ok);
  auto quiet = walk(0x400000, kWrite, false);
  ASSERT_TRUE(quiet.ok);
  EXPECT_FALSE(quiet.dirty);
  EXPECT_TRUE(mem_.writes().empty());
  EXPECT_EQ(mem_.get32(0x1004), 0x2000u | P | W | U);
}

// ---- PAE paging ------------------------------------------------------------------------------
class PaeWalk : public WalkerTest {
protected:
  void SetUp() override {
    state_ = {kPg, 0x3020, kPae, kNxe};                      // PDPT only 32-byte aligned: CR3[31:5]
    mem_.put64(0x3020 + 0 * 8, 0x4000 | P);                  // PDPTE0 → PD 0x4000
    mem_.put64(0x3020 + 1 * 8, 0x7000 | P | W);              // bit 1 reserved in a PDPTE
    mem_.put64(0x3020 + 3 * 8, 0x6000 | P);                  // PDPTE3 → PD 0x6000
    mem_.put64(0x4000 + 2 * 8, 0x5000 | P | W | U);          // VA 0x400000 → PT 0x5000
    mem_.put64(0x4000 + 3 * 8, 0x8000 | P | W | U);          // VA 0x600000 → PT 0x8000
    mem_.put64(0x4000 + 4 * 8, (1ull << 52) | 0x9000 | P);   // bit 52 reserved in PAE
    mem_.put64(0x5000 + 0 * 8, 0x200000 | P | W | U);        // → PA 0x200000
    mem_.put64(0x8000 + 0 * 8, XD | 0x300000 | P | W | U);   // VA 0x600000, no-execute
    mem_.put64(0x8000 + 1 * 8, 0x301000 | P | W | U);        // VA 0x601000, executable
    mem_.put64(0x6000 + 0 * 8, 0x12'3460'0000 | PS | P | W); // VA 0xC0000000, 2 MiB
  }
};

TEST_F(PaeWalk, TranslatesAndRecordsSteps) {
  auto t = walk(0x400123);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pa, 0x200123u);
  EXPECT_EQ(t.event.mode, WalkMode::Pae);
  EXPECT_EQ(t.event.stepCount, 3);
  EXPECT_EQ(t.event.memoryRefs, 3);
  expectStep(t.event, 0, 3, 0x3020, 0, 0x4001); // VA[31:30] = 0
  expectStep(t.event, 1, 2, 0x4000, 2, 0x5007); // VA[29:21] = 2
  expectStep(t.event, 2, 1, 0x5000, 0, 0x200007);
  EXPECT_TRUE(t.writable && t.user); // PDPTEs carry no R/W or U/S
}

TEST_F(PaeWalk, TwoMiBPage) {
  auto t = walk(0xC0012345);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pa, 0x12'3461'2345u);
  EXPECT_EQ(t.pageBase, 0x12'3460'0000u);
  EXPECT_EQ(t.pageSize, 2u << 20);
  EXPECT_EQ(t.event.stepCount, 2);
  expectStep(t.event, 0, 3, 0x3020, 3, 0x6001);
}

TEST_F(PaeWalk, NotPresentAndReservedBits) {
  auto pdpte = walk(0x80000000, kUserWrite);
  EXPECT_EQ(pdpte.errorCode, pf::User | pf::Write);
  EXPECT_EQ(pdpte.event.stepCount, 1);
  expectStep(pdpte.event, 0, 3, 0x3020, 2, 0);
  EXPECT_EQ(walk(0x402000).event.stepCount, 3);
  EXPECT_EQ(walk(0x402000, kFetch).errorCode, pf::Fetch); // NXE=1: I/D is reported

  auto rsvd = walk(0x40000000);
  EXPECT_EQ(rsvd.errorCode, pf::Present | pf::Reserved);
  EXPECT_EQ(rsvd.event.stepCount, 1);
  EXPECT_EQ(walk(0x800000, kWrite).errorCode, pf::Present | pf::Reserved | pf::Write);
}

TEST_F(PaeWalk, ExecuteDisableWithNxe) {
  EXPECT_EQ(walk(0x600000, kFetch).errorCode, pf::Present | pf::Fetch);
  EXPECT_EQ(walk(0x600000, kUserFetch).errorCode, pf::Present | pf::Fetch | pf::User);
  auto data = walk(0x600000, kUserRead);
  ASSERT_TRUE(data.ok);
  EXPECT_FALSE(data.executable);
  auto code = walk(0x601000, kUserFetch);
  ASSERT_TRUE(code.ok);
  EXPECT_TRUE(code.executable);
}

TEST_F(PaeWalk, ExecuteDisableBitIsReservedWithoutNxe) {
  state_.efer = 0;
  EXPECT_EQ(walk(0x600000, kFetch).errorCode, pf::Present | pf::Reserved); // no I/D without NXE
  EXPECT_EQ(walk(0x600000, kRead).errorCode, pf::Present | pf::Reserved);
  EXPECT_TRUE(walk(0x601000, kFetch).ok);
  EXPECT_EQ(walk(0x402000, kFetch).errorCode, 0u);
}

TEST_F(PaeWalk, AccessedDirtyLeavesPdptesAlone) {
  ASSERT_TRUE(walk(0x400000, kWrite).ok);
  EXPECT_EQ(mem_.get64(0x3020), 0x4000u | P);
  EXPECT_EQ(mem_.get64(0x4010), 0x5000u | P | W | U | A);
  EXPECT_EQ(mem_.get64(0x5000), 0x200000u | P | W | U | A | D);
  ASSERT_EQ(mem_.writes().size(), 2u);
  EXPECT_EQ(mem_.writes()[0].size, 8u);
}

} // namespace
} // namespace ringside
