// The MMU model: a TLB in front of the native walk, the shadow pager or the 2-D walk, with the
// counters `run --json` is to report. Reference counts are the textbook ones on a miss and zero
// on a hit; VPIDs keep guest entries across VM exits, their absence costs a full 2-D walk.
#include "mmu/mmu_model.h"
#include "sim-core/mmu/guest_tables.h"

#include <gtest/gtest.h>

#include <vector>

namespace ringside {
namespace {

using test::GuestTables;
using test::load64;

constexpr uint64_t kRam = 16 << 20, kRamHost = 0x1'0000'0000, kPool = 0x3'0000'0000;
constexpr uint64_t P = GuestTables::P, W = GuestTables::W, U = GuestTables::U;
constexpr Access kRead{}, kWrite{true, false, false};

class MmuModelTest : public ::testing::Test {
protected:
  MmuModelTest() : pages_(host_, kPool, 4 << 20), guestMem_(host_, {kRam, kRamHost}) {
    tables_.map(0x40'0000, 0x80'0000, P | W | U);
    tables_.map(0x40'1000, 0x80'1000, P | U);
    tables_.map(0x50'0000, 0x4000'0000, P | W); // GPA 1 GiB: outside RAM
  }
  std::unique_ptr<MmuModel> make(MmuMode mode, bool vpid = true, uint64_t eptPage = 4096) {
    MmuModelConfig c;
    c.mode = mode;
    c.tlb.vpidEnabled = vpid;
    c.vpid = vpid ? 1 : 0;
    c.eptPageSize = eptPage;
    auto m = std::make_unique<MmuModel>(host_, GuestRamMap{kRam, kRamHost}, pages_, c,
                                        [this](EventBody b) { events_.push_back(b); });
    m->setPaging(GuestTables::longMode(tables_.root()));
    return m;
  }
  size_t count(TlbOp op) const {
    size_t n = 0;
    for (const auto &b : events_)
      if (const auto *t = std::get_if<TlbEvent>(&b); t && t->op == op)
        ++n;
    return n;
  }

  HostMemory host_ = test::hostWithRam(kRamHost, kRam);
  PageAllocator pages_;
  GuestPhysicalView guestMem_;
  GuestTables tables_{guestMem_, 0x10'0000};
  std::vector<EventBody> events_;
};

TEST_F(MmuModelTest, NativeMissWalksHitDoesNot) {
  auto m = make(MmuMode::Native);
  const MmuAccess first = m->access(0x40'0010, kRead);
  ASSERT_TRUE(first.ok);
  EXPECT_FALSE(first.tlbHit);
  EXPECT_EQ(first.hpa, kRamHost + 0x80'0010);
  const MmuAccess second = m->access(0x40'0FF8, kRead);
  EXPECT_TRUE(second.tlbHit);
  const MmuCounters &c = m->counters();
  EXPECT_EQ(c.tlbMisses, 1u);
  EXPECT_EQ(c.tlbHits, 1u);
  EXPECT_EQ(c.walks, 1u);
  EXPECT_EQ(c.walkRefs, 4u);
  EXPECT_EQ(count(TlbOp::Hit), 1u);
  EXPECT_EQ(count(TlbOp::Miss), 1u);
  EXPECT_EQ(count(TlbOp::Fill), 1u);
  // The entry came from a read of a clean page: the first write walks again to set D.
  EXPECT_FALSE(m->access(0x40'0000, kWrite).tlbHit);
  EXPECT_TRUE(load64(guestMem_, tables_.entryAddress(0x40'0000, 1)) & 0x40);
  EXPECT_TRUE(m->access(0x40'0008, kWrite).tlbHit);
  // MOV CR3 empties the address space's entries.
  m->movCr3(tables_.root());
  EXPECT_FALSE(m->access(0x40'0000, kRead).tlbHit);
  EXPECT_EQ(c.walks, 3u);
}

TEST_F(MmuModelTest, NativeFaultsAreCounted) {
  auto m = make(MmuMode::Native);
  const MmuAccess f = m->access(0x40'1000, Access{true, true, false});
  EXPECT_EQ(f.fault, MmuFault::PageFault);
  EXPECT_EQ(f.errorCode, 7u);
  EXPECT_EQ(f.cr2, 0x40'1000u);
  EXPECT_EQ(m->access(0xFFFF'0000'0000'0000, kRead).fault, MmuFault::GeneralProtection);
  EXPECT_EQ(m->counters().pageFaults, 1u);
  EXPECT_EQ(m->counters().generalProtection, 1u);
  EXPECT_EQ(m->counters().walks, 1u) << "a non-canonical address walks nothing";
}

TEST_F(MmuModelTest, EptMissIs24ReferencesAndVpidKeepsEntriesAcrossExits) {
  auto m = make(MmuMode::Ept);
  ASSERT_TRUE(m->access(0x40'0000, kRead).ok);
  EXPECT_EQ(m->counters().walkRefs, 24u);
  EXPECT_EQ(m->counters().walks, 6u); // five EPT walks and the guest's
  m->vmExit();
  m->vmEntry();
  EXPECT_TRUE(m->access(0x40'0000, kRead).tlbHit);
  EXPECT_EQ(m->counters().walkRefs, 24u);
  m->invept(1); // single-context INVEPT drops the combined mappings of this EPTP
  EXPECT_FALSE(m->access(0x40'0000, kRead).tlbHit);
  EXPECT_EQ(m->counters().walkRefs, 48u);
}

TEST_F(MmuModelTest, WithoutVpidEveryExitCostsAFullTwoDimensionalWalk) {
  auto m = make(MmuMode::Ept, /*vpid=*/false);
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(m->access(0x40'0000, kRead).ok);
    m->vmExit();
    m->vmEntry();
  }
  EXPECT_EQ(m->counters().tlbHits, 0u);
  EXPECT_EQ(m->counters().walkRefs, 3u * 24);
}

TEST_F(MmuModelTest, EptWithTwoMiBPagesAndAnEptViolation) {
  auto m = make(MmuMode::Ept, true, 2 << 20);
  ASSERT_TRUE(m->access(0x40'0000, kRead).ok);
  EXPECT_EQ(m->counters().walkRefs, 19u);
  // The TLB entry has the smaller of the two page sizes: the next 4 KiB page misses.
  EXPECT_FALSE(m->access(0x40'1000, kRead).tlbHit);
  // GPA 1 GiB has no RAM, so no EPT entry: an EPT violation on the data access.
  const MmuAccess v = m->access(0x50'0000, kRead);
  EXPECT_EQ(v.fault, MmuFault::EptViolation);
  EXPECT_EQ(v.faultGpa, 0x4000'0000u);
  EXPECT_EQ(v.qualification, 0x181u); // read, not present, GLA valid, final translation
  EXPECT_EQ(m->counters().eptViolations, 1u);
}

TEST_F(MmuModelTest, ShadowHiddenFaultThenTlbHitThenEmulatedEditFlushes) {
  // A kernel window onto the PT, so the guest can edit a PTE.
  const uint64_t pt = tables_.entryAddress(0x40'0000, 1) & ~0xFFFull;
  tables_.map(0x60'0000, pt, P | W);
  auto m = make(MmuMode::Shadow);
  ASSERT_TRUE(m->access(0x40'0000, kRead).ok);
  const MmuCounters &c = m->counters();
  EXPECT_EQ(c.hiddenFaults, 1u);
  EXPECT_EQ(c.walks, 3u);    // the shadow walk that misses, the VMM's guest walk, the retry
  EXPECT_EQ(c.walkRefs, 9u); // 1 + 4 + 4
  EXPECT_TRUE(m->access(0x40'0000, kRead).tlbHit);
  EXPECT_EQ(m->access(0x40'1000, Access{true, true, false}).fault, MmuFault::PageFault);
  EXPECT_EQ(c.trueFaults, 1u);
  // The PTE edit is emulated; the VMM flushes the TLB, so the next access sees the new frame.
  EXPECT_TRUE(m->access(0x60'0000, kWrite).ok);
  ASSERT_NE(m->shadow(), nullptr);
  EXPECT_EQ(m->shadow()->counters().emulatedWrites, 1u);
  size_t vmmFlushes = 0;
  for (const auto &b : events_)
    if (const auto *t = std::get_if<TlbEvent>(&b); t && t->cause == TlbCause::Vmm)
      ++vmmFlushes;
  EXPECT_EQ(vmmFlushes, 1u);
  EXPECT_FALSE(m->access(0x40'0000, kRead).tlbHit);
}

TEST_F(MmuModelTest, ShadowWriteProtectingAFrameFlushesItsWritableTlbEntry) {
  // VA 0x700000 maps frame 0x900000, writable and dirty: a write fills a writable TLB entry.
  tables_.map(0x70'0000, 0x90'0000, P | W | U | 0x40);
  auto m = make(MmuMode::Shadow);
  ASSERT_TRUE(m->access(0x70'0000, kWrite).ok);
  ASSERT_TRUE(m->access(0x70'0008, kWrite).tlbHit);
  // The guest makes that frame the page table of VA 0x800000 (written behind the shadow's
  // back, as by a device) and touches 0x800000: the VMM shadows the new table and
  // write-protects its frame, which takes W from 0x700000's shadow entry and flushes the TLB.
  test::store64(guestMem_, tables_.entryAddress(0x40'0000, 2) + 2 * 8, 0x90'0000 | P | W | U);
  test::store64(guestMem_, 0x90'0000, 0xA0'0000 | P | W | U);
  ASSERT_TRUE(m->access(0x80'0000, kRead).ok);
  EXPECT_EQ(m->shadow()->counters().writeProtected, 1u);
  const MmuAccess w = m->access(0x70'0000, kWrite);
  EXPECT_FALSE(w.tlbHit) << "a stale writable entry would let the write bypass the VMM";
  EXPECT_EQ(m->shadow()->counters().emulatedWrites, 1u);
}

} // namespace
} // namespace ringside
