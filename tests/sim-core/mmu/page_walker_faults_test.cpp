// Every fault the guest walker can produce, in each paging mode, with its #PF error code and
// CR2; plus the #GP of a non-canonical address and hostile tables (self-referencing, outside
// RAM), which must end in a bounded number of steps.
#include "sim-core/mmu/walker_fixture.h"

#include <string>
#include <vector>

namespace ringside {
namespace {

using namespace test;

struct FaultCase {
  const char *what;
  uint64_t va;
  Access access;
  uint32_t errorCode;
  bool wp = true;
};

void expectFaults(const char *mode, const PagingState &base, FakeMemory &mem,
                  const std::vector<FaultCase> &cases) {
  for (const FaultCase &c : cases) {
    SCOPED_TRACE(std::string(mode) + ": " + c.what);
    PagingState s = base;
    if (!c.wp)
      s.cr0 &= ~kWp;
    mem.clearWrites();
    const Translation t = translate(s, mem, c.va, c.access);
    ASSERT_FALSE(t.ok);
    EXPECT_EQ(t.errorCode, c.errorCode);
    EXPECT_EQ(t.cr2, c.va);
    EXPECT_EQ(t.event.faultCode, c.errorCode);
    EXPECT_FALSE(t.generalProtection);
    EXPECT_TRUE(mem.writes().empty()) << "a fault sets no A/D bit";
  }
}

// One set of tables per mode with the same cases: VA 0x400000 user RW, 0x401000 supervisor,
// 0x402000 user read-only, 0x403000 not present, 0x404000 reserved bit, 0x405000 XD.
TEST(PageWalkerFaults, Bits32) {
  FakeMemory mem;
  mem.put32(0x1000 + 1 * 4, 0x2000 | P | W | U);
  mem.put32(0x2000 + 0 * 4, 0x10000 | P | W | U);
  mem.put32(0x2000 + 1 * 4, 0x11000 | P | W);
  mem.put32(0x2000 + 2 * 4, 0x12000 | P | U);
  mem.put32(0x1000 + 8 * 4, 0x2000000 | (1u << 21) | PS | P); // VA 0x2000000: 4 MiB, bit 21
  const PagingState s{kPg | kWp, 0x1000, kPse, 0};
  expectFaults("32-bit", s, mem,
               {
                   {"PDE not present", 0xC00000, kRead, 0},
                   {"PTE not present", 0x403000, kWrite, pf::Write},
                   {"user reads a supervisor page", 0x401000, kUserRead, pf::Present | pf::User},
                   {"user writes a read-only page", 0x402000, kUserWrite, 7},
                   {"kernel writes a read-only page, WP=1", 0x402000, kWrite, 3},
                   {"reserved bit in a 4 MiB PDE", 0x2000000, kRead, pf::Present | pf::Reserved},
                   // No XD in 32-bit paging: a fetch from a not-present page has no I/D bit.
                   {"fetch, not present", 0x403000, kFetch, 0},
               });
  EXPECT_TRUE(translate({kPg, 0x1000, kPse, 0}, mem, 0x402000, kWrite).ok) << "WP=0";
}

TEST(PageWalkerFaults, Pae) {
  FakeMemory mem;
  mem.put64(0x1000, 0x2000 | P);                 // PDPTE 0
  mem.put64(0x1008, 0x5000 | P | W);             // PDPTE 1: bit 1 is reserved in PAE PDPTEs
  mem.put64(0x2000 + 2 * 8, 0x3000 | P | W | U); // PD[2] → PT for VA 0x400000
  mem.put64(0x3000 + 0 * 8, 0x10000 | P | W | U);
  mem.put64(0x3000 + 1 * 8, 0x11000 | P | W);
  mem.put64(0x3000 + 2 * 8, 0x12000 | P | U);
  mem.put64(0x3000 + 4 * 8, 0x14000 | (1ull << 52) | P | W | U); // bit 52 reserved in PAE
  mem.put64(0x3000 + 5 * 8, 0x15000 | XD | P | W | U);
  const PagingState s{kPg | kWp, 0x1000, kPae, kNxe};
  expectFaults("PAE", s, mem,
               {
                   {"PDE not present", 0x200000, kRead, 0},
                   {"PTE not present", 0x403000, kUserRead, pf::User},
                   {"user reads a supervisor page", 0x401000, kUserRead, 5},
                   {"user writes a read-only page", 0x402000, kUserWrite, 7},
                   {"kernel writes a read-only page, WP=1", 0x402000, kWrite, 3},
                   {"reserved bit 52 in a PTE", 0x404000, kRead, pf::Present | pf::Reserved},
                   {"reserved bit in a PDPTE", 0x4000'0000, kRead, pf::Present | pf::Reserved},
                   {"fetch from an XD page", 0x405000, kFetch, pf::Present | pf::Fetch},
                   {"fetch, not present, NXE on", 0x403000, kFetch, pf::Fetch},
               });
  // Without NXE, XD is a reserved bit.
  const Translation t = translate({kPg, 0x1000, kPae, 0}, mem, 0x405000, kRead);
  EXPECT_EQ(t.errorCode, pf::Present | pf::Reserved);
}

TEST(PageWalkerFaults, Long4) {
  FakeMemory mem;
  mem.put64(0x1000, 0x2000 | P | W | U);
  mem.put64(0x2000, 0x3000 | P | W | U);
  mem.put64(0x3000 + 2 * 8, 0x4000 | P | W | U);
  mem.put64(0x4000 + 0 * 8, 0x10000 | P | W | U);
  mem.put64(0x4000 + 1 * 8, 0x11000 | P | W);
  mem.put64(0x4000 + 2 * 8, 0x12000 | P | U);
  mem.put64(0x4000 + 4 * 8, 0x14000 | (1ull << 51) | P | W | U); // 51:M reserved
  mem.put64(0x4000 + 5 * 8, 0x15000 | XD | P | W | U);
  mem.put64(0x3000 + 3 * 8, 0x600000 | (1u << 13) | PS | P | W); // 2 MiB, bit 13 reserved
  const PagingState s{kPg | kWp, 0x1000, kPae, kLme | kLma | kNxe};
  expectFaults("4-level", s, mem,
               {
                   {"PML4E not present", 0x80'0000'0000, kRead, 0},
                   {"PDE not present", 0x200000, kWrite, pf::Write},
                   {"PTE not present", 0x403000, kUserRead, pf::User},
                   {"user reads a supervisor page", 0x401000, kUserRead, 5},
                   {"user writes a read-only page", 0x402000, kUserWrite, 7},
                   {"kernel writes a read-only page, WP=1", 0x402000, kWrite, 3},
                   {"reserved bit 51 in a PTE", 0x404000, kWrite, 0xB},
                   {"reserved bit 13 in a 2 MiB PDE", 0x600000, kRead, 9},
                   {"user fetch from an XD page", 0x405000, kUserFetch, 0x15},
                   {"high-half address not present", 0xFFFF'8000'0000'0000, kRead, 0},
               });
  EXPECT_TRUE(translate({kPg, 0x1000, kPae, kLme | kLma | kNxe}, mem, 0x402000, kWrite).ok)
      << "WP=0: the kernel may write a read-only page";
}

TEST(PageWalkerFaults, NonCanonicalIsGeneralProtection) {
  FakeMemory mem;
  mem.put64(0x1000 + 256 * 8, 0x2000 | P | W);
  const PagingState s{kPg, 0x1000, kPae, kLme | kLma};
  for (uint64_t va :
       {0x0000'8000'0000'0000ull, 0xFFFF'0000'0000'0000ull, 0x1234'0000'0000'0000ull}) {
    const Translation t = translateLinear(s, mem, va, kRead);
    EXPECT_FALSE(t.ok);
    EXPECT_TRUE(t.generalProtection) << std::hex << va;
    EXPECT_EQ(t.errorCode, 0u);
    EXPECT_EQ(t.event.stepCount, 0) << "no entry is read";
  }
  // Canonical addresses walk as usual; outside long mode there is no canonical check.
  EXPECT_FALSE(translateLinear(s, mem, 0xFFFF'8000'0000'0000, kRead).generalProtection);
  EXPECT_FALSE(
      translateLinear({kPg, 0x1000, kPae, 0}, mem, 0x0000'8000'0000'0000, kRead).generalProtection);
}

TEST(PageWalkerHostile, SelfReferencingTablesEndAfterTheLastLevel) {
  // The PML4's entry 0 points at the PML4 itself (a recursive mapping): every level reads the
  // same table, and VA 0 ends at the PML4 page: four steps, a translation, no loop.
  FakeMemory mem;
  mem.put64(0x1000, 0x1000 | P | W);
  const PagingState s{kPg, 0x1000, kPae, kLme | kLma};
  const Translation t = translate(s, mem, 0x0, kRead);
  ASSERT_TRUE(t.ok);
  EXPECT_EQ(t.pa, 0x1000u);
  EXPECT_EQ(t.event.stepCount, 4);
  for (unsigned i = 0; i < 4; ++i)
    EXPECT_EQ(t.event.steps[i].tableAddr, 0x1000u);
  // 32-bit: the PDE pointing at the PD gives the PD as the page.
  FakeMemory m32;
  m32.put32(0x1000, 0x1000 | P | W);
  const Translation t32 = translate({kPg, 0x1000, 0, 0}, m32, 0x123, kRead);
  ASSERT_TRUE(t32.ok);
  EXPECT_EQ(t32.pa, 0x1123u);
  EXPECT_EQ(t32.event.stepCount, 2);
}

TEST(PageWalkerHostile, TablesOutsideRamAndCr3OutsideRam) {
  FakeMemory mem; // nothing backed at all
  const PagingState s{kPg, 0xFFFF'F000, kPae, kLme | kLma};
  const Translation t = translate(s, mem, 0x1000, kWrite);
  EXPECT_FALSE(t.ok);
  EXPECT_EQ(t.errorCode, pf::Write);
  EXPECT_EQ(t.event.stepCount, 1);
  EXPECT_EQ(t.event.steps[0].tableAddr, 0xFFFF'F000u);
}

} // namespace
} // namespace ringside
