// The TLB model: VPID-tagged entries survive VM exits and entries, untagged ones do not; the
// flushes of MOV CR3, INVLPG, INVEPT and INVVPID; LRU replacement; the `tlb` events.
#include "mmu/tlb.h"

#include <gtest/gtest.h>

#include <vector>

namespace ringside {
namespace {

TlbEntry entry(uint64_t va, uint64_t pa, uint16_t vpid = 0, uint64_t eptp = 0,
               uint64_t size = 4096) {
  TlbEntry e;
  e.vaBase = va;
  e.paBase = pa;
  e.vpid = vpid;
  e.eptp = eptp;
  e.pageSize = size;
  return e;
}

TEST(Tlb, VpidKeepsGuestEntriesAcrossExitsAndEntries) {
  Tlb tlb(TlbConfig{64, true});
  tlb.fill(entry(0x40'0000, 0x80'0000, 1));
  tlb.vmTransition();                         // VM exit
  tlb.fill(entry(0x40'0000, 0x1234'0000, 0)); // the host's own mapping of the same VA
  tlb.vmTransition();                         // VM entry
  auto hit = tlb.lookup(0x40'0123, 1);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->paBase, 0x80'0000u);
  EXPECT_EQ(tlb.lookup(0x40'0000, 0)->paBase, 0x1234'0000u) << "tags keep the two apart";
  EXPECT_EQ(tlb.counters().hits, 2u);
}

TEST(Tlb, WithoutVpidEveryTransitionFlushes) {
  std::vector<TlbEvent> events;
  Tlb tlb(TlbConfig{64, false}, [&](EventBody b) { events.push_back(std::get<TlbEvent>(b)); });
  tlb.fill(entry(0x40'0000, 0x80'0000));
  tlb.vmTransition();
  EXPECT_FALSE(tlb.lookup(0x40'0000).has_value());
  EXPECT_EQ(tlb.counters().misses, 1u);
  EXPECT_EQ(tlb.counters().entriesFlushed, 1u);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[0].op, TlbOp::Fill);
  EXPECT_EQ(events[1].op, TlbOp::FlushAll);
  EXPECT_EQ(events[1].cause, TlbCause::VmTransition);
  EXPECT_EQ(events[2].op, TlbOp::Miss);
}

TEST(Tlb, LargePagesCoverTheirWholeRange) {
  Tlb tlb;
  tlb.fill(entry(0x20'0000, 0x60'0000, 0, 0, 2 << 20));
  auto hit = tlb.lookup(0x3F'FFFF);
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->paBase, 0x60'0000u);
  EXPECT_FALSE(tlb.lookup(0x40'0000).has_value());
}

TEST(Tlb, MovCr3AndInvlpgFlushOnlyTheirAddressSpace) {
  Tlb tlb;
  tlb.fill(entry(0x1000, 0xA000, 1));
  tlb.fill(entry(0x2000, 0xB000, 1));
  tlb.fill(entry(0x1000, 0xC000, 2));
  tlb.invlpg(0x1234, 1);
  EXPECT_FALSE(tlb.lookup(0x1000, 1));
  EXPECT_TRUE(tlb.lookup(0x2000, 1));
  EXPECT_TRUE(tlb.lookup(0x1000, 2));
  tlb.movCr3(1);
  EXPECT_FALSE(tlb.lookup(0x2000, 1));
  EXPECT_TRUE(tlb.lookup(0x1000, 2));
}

TEST(Tlb, InveptAndInvvpidTypes) {
  Tlb tlb;
  tlb.fill(entry(0x1000, 0xA000, 1, 0x5000));
  tlb.fill(entry(0x1000, 0xB000, 2, 0x6000));
  tlb.fill(entry(0x1000, 0xC000, 3)); // no EPT
  tlb.invept(1, 0x5000);              // single context
  EXPECT_FALSE(tlb.lookup(0x1000, 1, 0x5000));
  EXPECT_TRUE(tlb.lookup(0x1000, 2, 0x6000));
  tlb.invept(2); // all contexts: every combined mapping, linear-only ones stay
  EXPECT_FALSE(tlb.lookup(0x1000, 2, 0x6000));
  EXPECT_TRUE(tlb.lookup(0x1000, 3));

  tlb.fill(entry(0x1000, 0xA000, 1));
  tlb.fill(entry(0x2000, 0xA000, 1));
  tlb.fill(entry(0x1000, 0xD000, 0)); // the host's
  tlb.invvpid(0, 1, 0x1000);          // individual address
  EXPECT_FALSE(tlb.lookup(0x1000, 1));
  EXPECT_TRUE(tlb.lookup(0x2000, 1));
  tlb.invvpid(1, 1); // single context
  EXPECT_FALSE(tlb.lookup(0x2000, 1));
  EXPECT_TRUE(tlb.lookup(0x1000, 3));
  tlb.invvpid(2, 0); // all contexts but VPID 0
  EXPECT_FALSE(tlb.lookup(0x1000, 3));
  EXPECT_TRUE(tlb.lookup(0x1000, 0));
}

TEST(Tlb, AppliesTheVtxModelsFlushResults) {
  Tlb tlb;
  tlb.fill(entry(0x1000, 0xA000, 4, 0x5000));
  tlb.fill(entry(0x2000, 0xB000, 4));
  tlb.apply(TlbFlush{false, 0, 0, 4, 0x2000}); // INVVPID individual address
  EXPECT_FALSE(tlb.lookup(0x2000, 4));
  EXPECT_TRUE(tlb.lookup(0x1000, 4, 0x5000));
  tlb.apply(TlbFlush{true, 1, 0x5000, 0, 0}); // INVEPT single context
  EXPECT_FALSE(tlb.lookup(0x1000, 4, 0x5000));
}

TEST(Tlb, LeastRecentlyUsedIsEvicted) {
  Tlb tlb(TlbConfig{2, true});
  tlb.fill(entry(0x1000, 0xA000));
  tlb.fill(entry(0x2000, 0xB000));
  EXPECT_TRUE(tlb.lookup(0x1000)); // 0x2000 is now the least recently used
  tlb.fill(entry(0x3000, 0xC000));
  EXPECT_EQ(tlb.counters().evictions, 1u);
  EXPECT_TRUE(tlb.lookup(0x1000));
  EXPECT_FALSE(tlb.lookup(0x2000));
  EXPECT_TRUE(tlb.lookup(0x3000));
  EXPECT_EQ(tlb.entries().size(), 2u);
  // Refilling a page replaces its entry rather than taking a second slot.
  tlb.fill(entry(0x3000, 0xD000));
  EXPECT_EQ(tlb.entries().size(), 2u);
  EXPECT_EQ(tlb.lookup(0x3000)->paBase, 0xD000u);
}

} // namespace
} // namespace ringside
