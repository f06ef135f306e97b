// Snapshots and the dirty-page log on the kvm backend (docs/snapshots.md, "The kvm backend"):
// save at an instruction (a --step run), restore in a fresh VM, continue — the same console,
// exits, final registers and RAM as one uninterrupted run; KVM_GET_DIRTY_LOG per fetch; a
// pre-copy migration between two VMs. Skips with the probe's reason where KVM is unusable.
#include "errors.h"
#include "kvm_guest_run.h"
#include "migration/precopy.h"
#include "snapshot/machine_state.h"
#include "trace/trace_json.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace ringside::test {
namespace {

// CPL0 long-mode code (PVM steps CPL0 only): stores to one page per iteration, one OUT each.
const char *kWriter = R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov ecx, 12
        mov rdi, 0x200000
.loop:  mov [rdi], rcx
        add rdi, 0x1000
        mov al, 'a'
        add al, cl
        out 0xE9, al
        dec ecx
        jnz .loop
        mov rax, 0x1234
        hlt
)";

RunConfig stepping(uint64_t maxInstructions = 0) {
  RunConfig config;
  config.singleStep = true;
  config.maxInstructions = maxInstructions;
  return config;
}

std::vector<uint8_t> ramOf(const Backend &b, uint64_t bytes) {
  std::vector<uint8_t> out(bytes, 0);
  for (uint64_t pa = 0; pa < bytes; pa += 4096)
    if (!b.readGuestPhysical(pa, out.data() + pa, 4096))
      std::fill_n(out.begin() + static_cast<std::ptrdiff_t>(pa), 4096, 0xEE); // VGA window
  return out;
}

// Exits and port I/O from `fromSeq` on, without seq numbers (walk events depend on which pages
// this process already walked).
std::vector<std::string> exitSequence(const std::vector<Event> &events, uint64_t fromSeq) {
  std::vector<std::string> out;
  for (const auto &e : events)
    if (e.seq >= fromSeq &&
        (std::holds_alternative<ExitEvent>(e.body) || std::holds_alternative<IoEvent>(e.body))) {
      auto j = toJson(e);
      j.erase("seq");
      out.push_back(j.dump());
    }
  return out;
}

void checkContinuation(const std::filesystem::path &path, uint64_t atInsn) {
  SCOPED_TRACE(path.string() + " at " + std::to_string(atInsn));
  auto full = kvm::createKvmBackend();
  full->load(loadGuestImage(path.string(), {}), stepping());
  const RunResult fullResult = full->run();
  ASSERT_EQ(fullResult.stop.kind, StopKind::Hlt) << fullResult.stop.message;

  auto first = kvm::createKvmBackend();
  first->load(loadGuestImage(path.string(), {}), stepping(atInsn));
  const RunResult cut = first->run();
  ASSERT_EQ(cut.stop.kind, StopKind::Budget) << cut.stop.message;
  ASSERT_EQ(cut.instructions, atInsn);
  const auto file = (scratchDir("kvm_snapshot") / (path.stem().string() + ".rss")).string();
  snapshot::saveState(first->saveState(), file);
  first.reset(); // the original VM is gone before the restore

  auto state = snapshot::loadState(file);
  EXPECT_EQ(state.backend, "kvm");
  auto second = kvm::createKvmBackend();
  second->restoreState(state, RunConfig{});
  const RunResult result = second->run();
  EXPECT_EQ(result.stop.kind, fullResult.stop.kind) << result.stop.message;
  EXPECT_EQ(result.instructions, fullResult.instructions);
  EXPECT_EQ(result.regs.rip, fullResult.regs.rip);
  EXPECT_EQ(result.regs.gpr, fullResult.regs.gpr);
  EXPECT_EQ(result.regs.rflags, fullResult.regs.rflags);
  EXPECT_EQ(result.regs.cr0, fullResult.regs.cr0);
  EXPECT_EQ(result.regs.efer, fullResult.regs.efer);
  EXPECT_EQ(second->platform().console(), full->platform().console());
  const uint64_t ramBytes = uint64_t(RunConfig{}.ramMiB) << 20;
  EXPECT_TRUE(ramOf(*second, ramBytes) == ramOf(*full, ramBytes)) << "final RAM differs";
  auto tail = exitSequence(full->trace().events(), state.nextSeq);
  ASSERT_FALSE(tail.empty());
  EXPECT_EQ(exitSequence(second->trace().events(), 0), tail);
}

TEST(KvmSnapshot, LongModeGuestContinuesIdentically) {
  RINGSIDE_REQUIRE_KVM();
  checkContinuation(writeFile(scratchDir("kvm_snapshot_writer") / "writer.asm", kWriter), 30);
}

TEST(KvmSnapshot, RealModeHelloContinuesIdentically) {
  RINGSIDE_REQUIRE_KVM();
  checkContinuation(sourceDir() / "lessons" / "00-hello" / "hello.asm", 40);
}

TEST(KvmSnapshot, RefusesWithoutStepAndEmuSnapshots) {
  RINGSIDE_REQUIRE_KVM();
  const auto path = writeFile(scratchDir("kvm_snapshot_refuse") / "writer.asm", kWriter);
  auto kvm = kvm::createKvmBackend();
  kvm->load(loadGuestImage(path.string(), {}), RunConfig{});
  kvm->run();
  EXPECT_THROW(kvm->saveState(), InputError); // no --step: no instruction to stop at

  auto emu = createBackend("emu");
  RunConfig cut;
  cut.maxInstructions = 10;
  emu->load(loadGuestImage(path.string(), {}), cut);
  ASSERT_EQ(emu->run().stop.kind, StopKind::Budget);
  auto state = emu->saveState();
  try {
    kvm::createKvmBackend()->restoreState(state, RunConfig{});
    FAIL() << "an emu snapshot was restored on kvm";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("--backend emu"), std::string::npos) << e.what();
  }
}

TEST(KvmSnapshot, DamagedSectionsAreNamedNotCrashedOn) {
  RINGSIDE_REQUIRE_KVM();
  const auto path = writeFile(scratchDir("kvm_snapshot_bad") / "writer.asm", kWriter);
  auto kvm = kvm::createKvmBackend();
  kvm->load(loadGuestImage(path.string(), {}), stepping(10));
  ASSERT_EQ(kvm->run().stop.kind, StopKind::Budget);
  const auto good = kvm->saveState();
  auto errorOf = [](const snapshot::MachineState &s) -> std::string {
    try {
      kvm::createKvmBackend()->restoreState(s, RunConfig{});
      return "";
    } catch (const InputError &e) {
      return e.what();
    }
  };
  EXPECT_EQ(errorOf(good), "");
  auto truncated = good;
  truncated.sections["CPU "].resize(100); // inside kvm_regs
  EXPECT_NE(errorOf(truncated).find("'CPU '"), std::string::npos) << errorOf(truncated);
  auto missing = good;
  missing.sections.erase("MON ");
  EXPECT_NE(errorOf(missing).find("'MON '"), std::string::npos) << errorOf(missing);
  auto counts = good;
  counts.instructions += 1; // META and MON disagree
  EXPECT_NE(errorOf(counts).find("instructions"), std::string::npos) << errorOf(counts);
}

TEST(KvmSnapshot, DirtyLogNamesThePagesTheGuestChanged) {
  RINGSIDE_REQUIRE_KVM();
  const auto path = writeFile(scratchDir("kvm_dirty") / "writer.asm", kWriter);
  auto backend = kvm::createKvmBackend();
  auto &kvm = dynamic_cast<kvm::KvmBackend &>(*backend);
  kvm.load(loadGuestImage(path.string(), {}), stepping(5));
  ASSERT_EQ(kvm.run().stop.kind, StopKind::Budget);
  const uint64_t ramBytes = uint64_t(RunConfig{}.ramMiB) << 20;
  kvm.setDirtyLogging(true);
  EXPECT_TRUE(kvm.fetchDirtyLog().empty()); // nothing ran since logging began
  const auto before = ramOf(kvm, ramBytes);
  ASSERT_EQ(kvm.resume(5 + 7 * 4).stop.kind, StopKind::Budget); // four more iterations
  const auto after = ramOf(kvm, ramBytes);
  const auto dirty = kvm.fetchDirtyLog();
  std::set<uint64_t> logged(dirty.begin(), dirty.end());
  uint64_t changed = 0;
  for (uint64_t p = 0; p < ramBytes / 4096; ++p)
    if (!std::equal(before.begin() + p * 4096, before.begin() + (p + 1) * 4096,
                    after.begin() + p * 4096)) {
      ++changed;
      EXPECT_TRUE(logged.count(p)) << "page " << p << " changed but is not in the log";
    }
  EXPECT_GE(changed, 4u); // one page per iteration at 0x200000…
  EXPECT_TRUE(logged.count(0x201)) << "the first store after logging began";
  EXPECT_FALSE(logged.count(0x200)) << "stored before logging began (instruction 3)";
  // No device wrote from userspace: every page came from the kernel's bitmap.
  EXPECT_EQ(kvm.lastKernelDirtyPages(), dirty.size());
  EXPECT_EQ(kvm.lastUserspaceDirtyPages(), 0u);
  EXPECT_TRUE(kvm.fetchDirtyLog().empty()); // KVM_GET_DIRTY_LOG cleared it
}

// Cycles through 64 pages at 0x200000, six instructions per store, for 400 stores.
const char *kWorkingSet = R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov ecx, 400
.loop:  mov rdi, rcx
        and rdi, 63
        shl rdi, 12
        mov [rdi + 0x200000], rcx
        dec ecx
        jnz .loop
        mov rax, 0x1234
        hlt
)";

TEST(KvmSnapshot, PreCopyMigrationEndsWithEqualRamAndRegisters) {
  RINGSIDE_REQUIRE_KVM();
  const auto path = writeFile(scratchDir("kvm_migrate") / "working_set.asm", kWorkingSet);
  auto image = loadGuestImage(path.string(), {});
  auto src = kvm::createKvmBackend(), dst = kvm::createKvmBackend();
  migration::Config c;
  c.warmupInstructions = 20;
  c.guestMips = 0.02; // ~1250 instructions while round 0 (16 MiB at 256 MiB/s) is on the wire
  c.stopPages = 0;
  c.maxRounds = 5;
  auto r = migration::migrate(image, *src, *dst, stepping(), c);
  ASSERT_GE(r.rounds.size(), 2u) << r.stopReason;
  EXPECT_EQ(r.rounds[0].pagesSent, 4096u);
  EXPECT_EQ(r.rounds[0].dirtyPages, 64u); // ~200 stores in round 0 cover the working set
  EXPECT_EQ(r.rounds[1].pagesSent, r.rounds[0].dirtyPages);
  EXPECT_GT(r.rounds[1].guestInstructions, 0u);
  EXPECT_EQ(r.rounds.back().dirtyPages, r.stopCopyPages);
  // The last round's count is the kernel's bitmap: no device wrote from userspace.
  auto &source = dynamic_cast<kvm::KvmBackend &>(*src);
  EXPECT_EQ(r.rounds.back().dirtyPages, source.lastKernelDirtyPages());
  EXPECT_EQ(source.lastUserspaceDirtyPages(), 0u);
  EXPECT_TRUE(r.memoryEqual);
  EXPECT_TRUE(r.registersEqual);
  auto after = dst->resume(r.switchoverInstructions + 10000);
  EXPECT_EQ(after.stop.kind, StopKind::Hlt) << after.stop.message;
  EXPECT_EQ(after.regs.gpr[0], 0x1234u);
  EXPECT_EQ(after.instructions, 1u + 400u * 6u + 2u); // mov ecx, the loop, mov rax and HLT
}

TEST(KvmSnapshot, RefusesAMachineWithAnActiveVirtioDevice) {
  RINGSIDE_REQUIRE_KVM();
  // Writes the virtio console's descriptor-table address (port 0x608), then spins.
  const auto path = writeFile(scratchDir("kvm_snapshot_virtio") / "virtio.asm",
                              "bits 16\norg 0x7c00\n        mov dx, 0x608\n"
                              "        mov eax, 0x1000\n        out dx, eax\n.spin:  jmp .spin\n");
  auto kvm = kvm::createKvmBackend();
  kvm->load(loadGuestImage(path.string(), {}), stepping(20));
  ASSERT_EQ(kvm->run().stop.kind, StopKind::Budget);
  try {
    kvm->saveState();
    FAIL() << "a machine with an active virtio device was saved";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("virtio console"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace ringside::test
