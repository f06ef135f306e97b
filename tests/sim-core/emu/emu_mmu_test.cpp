// The emu backend executing through the memory models: --mmu native|shadow|ept
// (sim-core/emu/shadow_mmu_model.cpp, docs/memory.md).
#include "event_bodies.h"
#include "guest_run.h"

#include "backend/backend.h"
#include "guest/image_loader.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace ringside {
namespace {

struct MmuRun {
  RunResult result;
  std::vector<Event> events;
  std::string console;
  std::map<std::string, uint64_t> counters;
  uint64_t ramHash = 0;

  template <typename T> std::vector<T> all() const { return test::bodiesOf<T>(events); }
  uint64_t count(const char *name) const {
    auto it = counters.find(name);
    return it == counters.end() ? 0 : it->second;
  }
};

MmuRun runWith(const std::filesystem::path &path, const std::string &mmu,
               std::vector<std::string> vmxSet = {}) {
  auto backend = createBackend("emu");
  RunConfig config;
  config.mmu = mmu;
  config.vmxOverrides = std::move(vmxSet);
  backend->load(loadGuestImage(path.string(), {}), config);
  MmuRun run;
  run.result = backend->run();
  run.events = backend->trace().events();
  for (const auto &c : run.all<ConsoleEvent>())
    run.console += c.text;
  run.counters = backend->mmuCounters();
  // FNV-1a over all of guest RAM: the bytes the guest left behind, page tables included.
  uint64_t h = 0xcbf29ce484222325ull;
  std::vector<uint8_t> page(4096);
  for (uint64_t gpa = 0; backend->readGuestPhysical(gpa, page.data(), page.size()); gpa += 4096)
    for (uint8_t b : page)
      h = (h ^ b) * 0x100000001b3ull;
  run.ramHash = h;
  return run;
}

std::filesystem::path guest(const char *name) {
  return test::sourceDir() / "tests" / "guests" / name;
}

std::filesystem::path source(const char *test, const std::string &text) {
  return test::writeFile(test::scratchDir(test) / "guest.asm", text);
}

void expectSameFinalState(const MmuRun &a, const MmuRun &b, const char *what) {
  EXPECT_EQ(a.result.stop.kind, b.result.stop.kind) << what;
  EXPECT_EQ(a.result.stop.code, b.result.stop.code) << what;
  EXPECT_EQ(a.result.regs.gpr, b.result.regs.gpr) << what;
  EXPECT_EQ(a.result.regs.rip, b.result.regs.rip) << what;
  EXPECT_EQ(a.result.regs.cr2, b.result.regs.cr2) << what;
  EXPECT_EQ(a.result.regs.cr3, b.result.regs.cr3) << what;
  EXPECT_EQ(a.result.instructions, b.result.instructions) << what;
  EXPECT_EQ(a.console, b.console) << what;
  EXPECT_EQ(a.ramHash, b.ramHash) << what << ": guest RAM differs";
}

TEST(EmuMmuTest, SameFinalStateUnderNativeShadowAndEpt) {
  const MmuRun native = runWith(guest("mmu_process.asm"), "native");
  ASSERT_EQ(native.result.stop.kind, StopKind::ExitPort) << native.result.stop.message;
  EXPECT_EQ(native.result.stop.code, 0);
  EXPECT_TRUE(native.counters.empty()) << "native runs on the backend's own walker";
  const MmuRun shadow = runWith(guest("mmu_process.asm"), "shadow");
  const MmuRun ept = runWith(guest("mmu_process.asm"), "ept");
  expectSameFinalState(native, shadow, "shadow");
  expectSameFinalState(native, ept, "ept");
}

// The model modes drop Unicorn's mappings at every VM transition, so these guests take many
// hidden faults between their exits, and true faults (#PF, #DE, the timer's interrupts) in
// between: with Unicorn's #DF latch left armed by a hidden fault they used to stop with
// "Unicorn keeps reporting #DF" (emu_backend.cpp, emulate()).
TEST(EmuMmuTest, FaultingGuestsEndTheSameUnderNativeShadowAndEpt) {
  for (const auto &path : {guest("paging_alias.asm"),
                           test::sourceDir() / "lessons" / "09-interrupts" / "events.asm"}) {
    SCOPED_TRACE(path.filename().string());
    const MmuRun native = runWith(path, "native");
    ASSERT_EQ(native.result.stop.kind, StopKind::ExitPort) << native.result.stop.message;
    EXPECT_EQ(native.result.stop.code, 0);
    const MmuRun shadow = runWith(path, "shadow");
    ASSERT_EQ(shadow.result.stop.kind, StopKind::ExitPort) << shadow.result.stop.message;
    const MmuRun ept = runWith(path, "ept");
    ASSERT_EQ(ept.result.stop.kind, StopKind::ExitPort) << ept.result.stop.message;
    expectSameFinalState(native, shadow, "shadow");
    expectSameFinalState(native, ept, "ept");
    EXPECT_GT(shadow.count("hidden_faults"), 0u);
  }
}

TEST(EmuMmuTest, ShadowPagingHiddenAndTrueFaultsOnAProcessAddressSpace) {
  const MmuRun run = runWith(guest("mmu_process.asm"), "shadow");
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  ASSERT_EQ(run.result.stop.code, 0);
  // One true fault: the write to the not-present page, reflected with error code 2 and CR2.
  EXPECT_EQ(run.count("true_faults"), 1u);
  const auto ex = run.all<ExceptionEvent>();
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].vector, 14);
  EXPECT_EQ(ex[0].errorCode, 2u);
  EXPECT_EQ(ex[0].cr2, 0x40000010u);
  // Hidden faults: every first touch of a page and every page-table store.
  EXPECT_GT(run.count("hidden_faults"), 5u);
  // The edit of the present PTE exits and is emulated. The handler's earlier store to the
  // same table did not: no shadow entry derived from that table yet (the faulting walk
  // stopped at its empty entry), so the VMM had no reason to write-protect it.
  EXPECT_EQ(run.count("emulated_writes"), 1u);
  // Two address spaces: two roots built, the switch back reuses A's.
  EXPECT_GE(run.count("shadow_roots_built"), 2u);
  EXPECT_GE(run.count("shadow_roots_reused"), 1u);
  // The walks are in the trace: the processor's shadow walks and the VMM's guest walks.
  std::set<WalkPurpose> purposes;
  for (const auto &w : run.all<WalkEvent>())
    purposes.insert(w.purpose);
  EXPECT_TRUE(purposes.count(WalkPurpose::Shadow));
  EXPECT_TRUE(purposes.count(WalkPurpose::GuestTables));
}

TEST(EmuMmuTest, EptWalksAreTwoDimensionalWith24And19References) {
  const MmuRun run = runWith(guest("mmu_process.asm"), "ept");
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  // Group the walk events by walk id: each group is one 2-D walk.
  std::map<uint32_t, unsigned> refs;
  std::map<uint32_t, bool> ok;
  for (const auto &w : run.all<WalkEvent>()) {
    ASSERT_NE(w.walkId, 0u);
    refs[w.walkId] += w.memoryRefs;
    if (w.purpose != WalkPurpose::Ept)
      ok[w.walkId] = w.ok;
  }
  std::set<unsigned> seen;
  for (const auto &[id, n] : refs)
    if (ok[id])
      seen.insert(n);
  EXPECT_TRUE(seen.count(24)) << "a 4 KiB page of a 4-level guest under 4-level EPT";
  EXPECT_TRUE(seen.count(19)) << "a 2 MiB guest page under 4-level EPT";
  EXPECT_GT(run.count("walk_refs"), 0u);
  EXPECT_EQ(run.count("ept_violations"), 0u) << "every access of this guest is to RAM";
}

TEST(EmuMmuTest, EptViolationThenMisconfigurationOnADevicePage) {
  // Two stores to the VGA text buffer with paging on: the first is an EPT violation (a write
  // to the final translation of a linear address: qualification 0x182), after which the VMM
  // marks the page, so the second is a misconfiguration, as on KVM.
  const auto path = source("EptDevice", R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov word [0xB8000], 0x0A41
        mov word [0xB8002], 0x0A42
        hlt
)");
  auto load = [&](const std::string &mmu) { return runWith(path, mmu); };
  const MmuRun run = load("ept");
  ASSERT_EQ(run.result.stop.kind, StopKind::Hlt) << run.result.stop.message;
  std::vector<ExitEvent> ept;
  for (const auto &e : run.all<ExitEvent>())
    if (e.reason == 48 || e.reason == 49)
      ept.push_back(e);
  ASSERT_EQ(ept.size(), 2u);
  EXPECT_EQ(ept[0].reason, 48);
  EXPECT_EQ(ept[0].qualification, 0x182u);
  EXPECT_EQ(ept[1].reason, 49);
  EXPECT_EQ(ept[1].qualification, 0u);
  // The violation is a walk event too: the 2-D walk that stopped at the final GPA.
  bool violationWalk = false;
  for (const auto &w : run.all<WalkEvent>())
    violationWalk |= w.exitReason == 48 && w.gva == 0xB8000;
  EXPECT_TRUE(violationWalk);
  // Native mode has no EPT to exit on; the guest's result is the same.
  const MmuRun native = load("native");
  EXPECT_EQ(native.result.regs.gpr, run.result.regs.gpr);
  for (const auto &e : native.all<ExitEvent>())
    EXPECT_TRUE(e.reason != 48 && e.reason != 49);
}

TEST(EmuMmuTest, HostileTablesGiveTheSameFaultsInEveryModeWithBoundedWork) {
  // Self-referencing PML4, a table outside RAM, a reserved bit, a PTE rewritten 200 times.
  const MmuRun native = runWith(guest("mmu_hostile.asm"), "native");
  ASSERT_EQ(native.result.stop.kind, StopKind::ExitPort) << native.result.stop.message;
  EXPECT_EQ(native.result.stop.code, 0);
  const MmuRun shadow = runWith(guest("mmu_hostile.asm"), "shadow");
  const MmuRun ept = runWith(guest("mmu_hostile.asm"), "ept");
  expectSameFinalState(native, shadow, "shadow");
  expectSameFinalState(native, ept, "ept");
  // Shadow: 199 of the 200 rewrites are emulated writes (the first comes before any shadow
  // entry derives from that table, so it is not yet write-protected); the work stays
  // proportional to them.
  EXPECT_EQ(shadow.count("emulated_writes"), 199u);
  EXPECT_LT(shadow.count("walks"), 20000u);
  EXPECT_LT(shadow.count("shadow_tables"), 64u);
  // EPT: the table outside RAM is an EPT violation on a paging-structure access (read, linear
  // address valid, not the final translation: 0x81), recorded as an exit; the guest still
  // gets the #PF the native walk gives.
  bool tableViolation = false;
  for (const auto &e : ept.all<ExitEvent>())
    tableViolation |= e.reason == 48 && e.qualification == 0x81;
  EXPECT_TRUE(tableViolation);
}

TEST(EmuMmuTest, VpidKeepsTlbEntriesAcrossExitsAndTheirLossWithoutIt) {
  // Four pages (code and three data pages) touched between I/O exits, 20 times.
  const auto path = source("EptVpid", R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov ecx, 20
.l:     mov rax, [0x200000]
        add rax, [0x201000]
        add rax, [0x202000]
        out 0x80, al
        dec ecx
        jnz .l
        hlt
)");
  const MmuRun with = runWith(path, "ept");
  const MmuRun without = runWith(path, "ept", {"secondary_exec.enable_vpid=0"});
  ASSERT_EQ(with.result.stop.kind, StopKind::Hlt) << with.result.stop.message;
  ASSERT_EQ(without.result.stop.kind, StopKind::Hlt) << without.result.stop.message;
  // With VPID each exit keeps the entries: the first touch after it is a TLB hit.
  EXPECT_GE(with.count("tlb_hits"), 19u * 4);
  // Without, every exit and entry flushes: each touch misses and walks (24 references).
  EXPECT_LT(without.count("tlb_hits"), with.count("tlb_hits") / 4);
  EXPECT_GE(without.count("tlb_misses"), with.count("tlb_misses") + 19u * 4);
  EXPECT_GE(without.count("walk_refs"), with.count("walk_refs") + 19u * 4 * 19);
  // The flushes are in the trace, caused by the VM transitions.
  unsigned vmFlushes = 0;
  for (const auto &t : without.all<TlbEvent>())
    vmFlushes += t.cause == TlbCause::VmTransition;
  EXPECT_GE(vmFlushes, 20u);
  for (const auto &t : with.all<TlbEvent>())
    EXPECT_NE(t.cause, TlbCause::VmTransition);
}

} // namespace
} // namespace ringside
