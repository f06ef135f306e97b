// EPT model: the EPTP format, walks with 4 KiB / 2 MiB / 1 GiB pages, violations with their exit
// qualifications (bit values worked out by hand from the SDM table "Exit Qualification for EPT
// Violations") and every kind of misconfiguration.
#include "mmu/ept.h"
#include "mmu/ept_builder.h"
#include "sim-core/mmu/guest_tables.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

using test::load64;
using test::store64;

constexpr uint64_t kPool = 0x2'0000'0000; // the VMM's EPT table pages
constexpr uint64_t R = 1, Wr = 2, X = 4;

class EptTest : public ::testing::Test {
protected:
  EptTest() : pages_(host_, kPool, 1 << 20), builder_(pages_) {}

  EptResult walk(uint64_t gpa, bool read, bool write, bool fetch, bool ad = false,
                 ept::Capabilities caps = {}) {
    EptContext ctx(builder_.eptp(ad), caps);
    return eptTranslate(ctx, host_, EptRequest{gpa, read, write, fetch, true, true});
  }
  EptResult read(uint64_t gpa) { return walk(gpa, true, false, false); }

  HostMemory host_;
  PageAllocator pages_;
  EptBuilder builder_;
};

TEST(Eptp, FormatAndValidity) {
  // PML4 at 0x12345000, WB (6), walk length 4 (field 3), A/D on: 0x1234505E.
  EXPECT_EQ(makeEptp(0x12345000, true), 0x1234505Eu);
  const Eptp e = decodeEptp(0x1234505E);
  EXPECT_EQ(e.memoryType, 6);
  EXPECT_EQ(e.walkLength, 4);
  EXPECT_TRUE(e.accessedDirty);
  EXPECT_EQ(e.root, 0x12345000u);

  EXPECT_EQ(eptpProblem(0x1234505E), "");
  EXPECT_EQ(eptpProblem(0x12345018), "");                                 // UC, 4-level, no A/D
  EXPECT_NE(eptpProblem(0x12345019).find("bits 2:0"), std::string::npos); // WC
  EXPECT_NE(eptpProblem(0x12345026).find("bits 5:3"), std::string::npos); // 5-level
  ept::Capabilities noAd;
  noAd.accessedDirty = false;
  EXPECT_NE(eptpProblem(0x1234505E, noAd).find("bit 6"), std::string::npos);
  EXPECT_NE(eptpProblem(0x1234509E).find("reserved"), std::string::npos); // bit 7
  EXPECT_NE(eptpProblem(0x1234501E | (1ull << 45)).find("reserved"), std::string::npos);
}

TEST_F(EptTest, FourLevelWalkRecordsEveryEntry) {
  builder_.map(0x5000, 0x9'0000'0000, 0x1000, 0x1000, R | Wr | X);
  const EptResult r = read(0x5123);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.hpa, 0x9'0000'0123u);
  EXPECT_EQ(r.pageSize, 0x1000u);
  EXPECT_EQ(r.memoryType, 6);
  EXPECT_EQ(r.permissions, 7);
  const WalkEvent &e = r.event;
  EXPECT_EQ(e.mode, WalkMode::Ept);
  EXPECT_EQ(e.purpose, WalkPurpose::Ept);
  EXPECT_EQ(e.gva, 0x5123u);
  ASSERT_EQ(e.stepCount, 4);
  EXPECT_EQ(e.memoryRefs, 4);
  for (unsigned i = 0; i < 4; ++i) {
    EXPECT_EQ(e.steps[i].level, 4 - i);
    EXPECT_EQ(e.steps[i].entry, load64(host_, builder_.entryAddress(0x5000, 4 - i)));
  }
  EXPECT_EQ(e.steps[0].tableAddr, builder_.root());
  EXPECT_EQ(e.steps[3].index, 5); // GPA bits 20:12
  EXPECT_EQ(e.steps[3].entry, 0x9'0000'0000u | 7 | (6u << 3));
  EXPECT_TRUE(e.ok);
  EXPECT_EQ(e.gpa, 0x9'0000'0123u); // for EPT walks the result is host-physical
}

TEST_F(EptTest, LargePages) {
  builder_.map(0x4000'0000, 0x8000'0000, 0x4000'0000, 0x4000'0000); // 1 GiB
  builder_.map(0x20'0000, 0x60'0000, 0x20'0000, 0x20'0000);         // 2 MiB
  const EptResult big = read(0x4012'3456);
  ASSERT_TRUE(big.ok());
  EXPECT_EQ(big.hpa, 0x8012'3456u);
  EXPECT_EQ(big.pageSize, 1u << 30);
  EXPECT_EQ(big.event.stepCount, 2);
  const EptResult mid = read(0x2F'FFFF);
  ASSERT_TRUE(mid.ok());
  EXPECT_EQ(mid.hpa, 0x6F'FFFFu);
  EXPECT_EQ(mid.pageSize, 2u << 20);
  EXPECT_EQ(mid.event.stepCount, 3);
}

TEST_F(EptTest, ViolationQualificationsForEachAccess) {
  builder_.map(0x1000, 0x1000, 0x1000, 0x1000, R);      // read-only
  builder_.map(0x2000, 0x2000, 0x1000, 0x1000, X);      // execute-only
  builder_.map(0x3000, 0x3000, 0x1000, 0x1000, R | Wr); // no execute
  EXPECT_TRUE(read(0x1000).ok());
  // Write to R: bit 1 (write) | bit 3 (readable) | bit 7 (GLA valid) | bit 8 (final) = 0x18A.
  EptResult w = walk(0x1008, false, true, false);
  ASSERT_EQ(w.outcome, EptOutcome::Violation);
  EXPECT_EQ(w.qualification, 0x18Au);
  EXPECT_EQ(w.event.exitReason, kExitEptViolation);
  EXPECT_EQ(w.event.faultCode, 0x18Au);
  EXPECT_EQ(w.event.stepCount, 4);
  // Fetch from R: bit 2 | bit 3 | 0x180 = 0x18C.
  EXPECT_EQ(walk(0x1000, false, false, true).qualification, 0x18Cu);
  // Read of execute-only: bit 0 | bit 5 (executable) | 0x180 = 0x1A1; fetch is fine.
  EXPECT_EQ(walk(0x2000, true, false, false).qualification, 0x1A1u);
  EXPECT_TRUE(walk(0x2000, false, false, true).ok());
  // Fetch from RW: bit 2 | bits 3,4 | 0x180 = 0x19C.
  EXPECT_EQ(walk(0x3000, false, false, true).qualification, 0x19Cu);
}

TEST_F(EptTest, NotPresentAtEachLevel) {
  builder_.map(0x1000, 0x1000, 0x1000, 0x1000);
  // PML4E not present: one step, no permissions: bit 0 | 0x180 = 0x181.
  EptResult top = read(0x80'0000'0000);
  ASSERT_EQ(top.outcome, EptOutcome::Violation);
  EXPECT_EQ(top.event.stepCount, 1);
  EXPECT_EQ(top.qualification, 0x181u);
  // PTE not present (same PT, index 2): four steps.
  EptResult pte = read(0x2000);
  ASSERT_EQ(pte.outcome, EptOutcome::Violation);
  EXPECT_EQ(pte.event.stepCount, 4);
  EXPECT_EQ(pte.event.steps[3].entry, 0u);
  EXPECT_EQ(pte.qualification, 0x181u);
  // A guest paging-structure access: GLA valid, not the final translation (bit 8 clear); a
  // write when EPT A/D flags are on: bits 0 and 1.
  EptContext ctx(builder_.eptp(true));
  EptResult table = eptTranslate(ctx, host_, EptRequest{0x2000, true, true, false, true, false});
  EXPECT_EQ(table.qualification, 0x83u);
  // No linear address at all (a PDPTE load): bits 7 and 8 clear.
  EptResult noGla = eptTranslate(ctx, host_, EptRequest{0x2000, true, false, false, false, false});
  EXPECT_EQ(noGla.qualification, 0x1u);
}

TEST_F(EptTest, PermissionsAreAndedOverLevels) {
  builder_.map(0x1000, 0x1000, 0x1000, 0x1000);
  const uint64_t pdpte = builder_.entryAddress(0x1000, 3);
  store64(host_, pdpte, load64(host_, pdpte) & ~Wr); // PDPTE: R and X only
  EptResult w = walk(0x1000, false, true, false);
  ASSERT_EQ(w.outcome, EptOutcome::Violation);
  EXPECT_EQ(w.permissions, R | X);
  EXPECT_EQ(w.qualification, 0x2u | 0x8 | 0x20 | 0x180); // write; readable, executable
  EXPECT_TRUE(read(0x1000).ok());
}

TEST_F(EptTest, Misconfigurations) {
  builder_.map(0x1000, 0x1000, 0x4000, 0x1000);
  auto expectMisconfig = [&](uint64_t gpa, unsigned level, uint64_t entry, const char *why,
                             ept::Capabilities caps = {}) {
    SCOPED_TRACE(why);
    const uint64_t addr = builder_.entryAddress(gpa, level);
    const uint64_t saved = load64(host_, addr);
    store64(host_, addr, entry);
    EptResult r = walk(gpa, true, false, false, false, caps);
    EXPECT_EQ(r.outcome, EptOutcome::Misconfig);
    EXPECT_EQ(r.event.exitReason, kExitEptMisconfig);
    EXPECT_EQ(r.qualification, 0u);
    EXPECT_EQ(r.event.stepCount, 5 - level);
    store64(host_, addr, saved);
    EXPECT_TRUE(read(gpa).ok());
  };
  const uint64_t pte = load64(host_, builder_.entryAddress(0x1000, 1));
  const uint64_t pde = load64(host_, builder_.entryAddress(0x1000, 2));
  const uint64_t pml4e = load64(host_, builder_.entryAddress(0x1000, 4));
  expectMisconfig(0x1000, 1, (pte & ~7ull) | Wr, "write-only");
  expectMisconfig(0x1000, 1, (pte & ~7ull) | Wr | X, "write/execute");
  ept::Capabilities noXo;
  noXo.executeOnly = false;
  expectMisconfig(0x1000, 1, (pte & ~7ull) | X, "execute-only without the capability", noXo);
  expectMisconfig(0x1000, 1, (pte & ~0x38ull) | (2u << 3), "memory type 2");
  expectMisconfig(0x1000, 1, (pte & ~0x38ull) | (3u << 3), "memory type 3");
  expectMisconfig(0x1000, 1, (pte & ~0x38ull) | (7u << 3), "memory type 7");
  expectMisconfig(0x1000, 1, pte | (1ull << 45), "address bit above MAXPHYADDR");
  expectMisconfig(0x1000, 2, pde | (1u << 3), "memory-type bits in a non-leaf PDE");
  expectMisconfig(0x1000, 4, pml4e | ept::kLargePage, "bit 7 in a PML4E");
  // A 2 MiB PDE with bits 20:12 set, and 2 MiB pages without the capability.
  expectMisconfig(0x1000, 2, 0x20'0000 | (1u << 12) | ept::kLargePage | (6u << 3) | 7,
                  "reserved bit 12 in a 2 MiB PDE");
  ept::Capabilities no2m;
  no2m.pages2M = false;
  expectMisconfig(0x1000, 2, 0x20'0000 | ept::kLargePage | (6u << 3) | 7,
                  "2 MiB page without the capability", no2m);
  expectMisconfig(0x1000, 3, 0x4000'0000 | (1u << 20) | ept::kLargePage | (6u << 3) | 7,
                  "reserved bit 20 in a 1 GiB PDPTE");
  // Not present beats everything: bits 2:0 = 0 with reserved bits is a violation.
  store64(host_, builder_.entryAddress(0x1000, 1), 0x38 | (1ull << 45));
  EXPECT_EQ(read(0x1000).outcome, EptOutcome::Violation);
}

TEST_F(EptTest, AccessedAndDirtyFlags) {
  builder_.map(0x1000, 0x1000, 0x1000, 0x1000);
  const uint64_t pml4e = builder_.entryAddress(0x1000, 4), pte = builder_.entryAddress(0x1000, 1);
  EXPECT_TRUE(walk(0x1000, true, false, false, /*ad=*/false).ok());
  EXPECT_EQ(load64(host_, pte) & (ept::kAccessed | ept::kDirty), 0u) << "A/D off: untouched";
  EXPECT_TRUE(walk(0x1000, true, false, false, true).ok());
  EXPECT_TRUE(load64(host_, pml4e) & ept::kAccessed);
  EXPECT_EQ(load64(host_, pte) & (ept::kAccessed | ept::kDirty), ept::kAccessed);
  EXPECT_TRUE(walk(0x1000, false, true, false, true).ok());
  EXPECT_EQ(load64(host_, pte) & ept::kDirty, ept::kDirty);
  EXPECT_EQ(load64(host_, pml4e) & ept::kDirty, 0u) << "D only in the leaf";
  // A violation sets nothing.
  store64(host_, pte, (load64(host_, pte) & ~(ept::kAccessed | ept::kDirty | Wr)));
  EXPECT_FALSE(walk(0x1000, false, true, false, true).ok());
  EXPECT_EQ(load64(host_, pte) & (ept::kAccessed | ept::kDirty), 0u);
}

TEST_F(EptTest, TablesOutsideHostMemoryAreNotPresent) {
  builder_.map(0x1000, 0x1000, 0x1000, 0x1000);
  store64(host_, builder_.entryAddress(0x1000, 4), 0x7'0000'0000 | 7); // PDPT nowhere
  const EptResult r = read(0x1000);
  ASSERT_EQ(r.outcome, EptOutcome::Violation);
  ASSERT_EQ(r.event.stepCount, 2);
  EXPECT_EQ(r.event.steps[1].tableAddr, 0x7'0000'0000u);
  EXPECT_EQ(r.event.steps[1].entry, 0u);
}

TEST_F(EptTest, SelfReferencingTablesStopAfterFourLevels) {
  // The PML4E points back at the PML4 itself at every level: the walk reads four entries and
  // ends at a "page" whose frame is the PML4 (bits 5:3 there are 0: type UC).
  store64(host_, builder_.root(), builder_.root() | 7);
  const EptResult r = read(0x0);
  EXPECT_EQ(r.event.stepCount, 4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.hpa, builder_.root());
  EXPECT_EQ(r.memoryType, 0);
}

} // namespace
} // namespace ringside
