// Walk events at userspace exits (source kvm-translate), the run's binary stats and the
// "unobservable" list of the KVM backend.
#include "kvm_guest_run.h"
#include "kvm_observability.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ringside::test {
namespace {

// Long mode with a non-identity mapping, like paging_alias.asm (whose 32-bit paging PVM cannot
// run): VA 1 GiB → PA 0 through a new page directory, then 20 OUTs executed through the alias.
const char *kAliasGuest = R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rdi, 0x8000                 ; new page directory, cleared
        xor eax, eax
        mov ecx, 512
        rep stosq
        mov qword [0x8000], 0x000083    ; 2 MiB page at PA 0
        mov qword [0x3008], 0x8000 | 3  ; PDPT[1]: VA 1 GiB .. 2 GiB
        mov rax, 0x40000000 + alias
        jmp rax
alias:  mov ecx, 20
.loop:  mov al, 'a'
        out 0xE9, al
        dec ecx
        jnz .loop
        hlt
)";

TEST(KvmWalksTest, ExitRipWalkMatchesKvmTranslateOncePerPage) {
  RINGSIDE_REQUIRE_KVM();
  auto backend = kvm::createKvmBackend();
  const auto path = writeFile(scratchDir("kvm_walk_alias") / "guest.asm", kAliasGuest);
  backend->load(loadGuestImage(path.string(), {}), {});
  const RunResult result = backend->run();
  ASSERT_EQ(result.stop.kind, StopKind::Hlt) << result.stop.message;
  EXPECT_EQ(backend->platform().console(), std::string(20, 'a'));

  std::vector<WalkEvent> walks;
  for (const auto &e : backend->trace().events())
    if (const auto *w = std::get_if<WalkEvent>(&e.body))
      walks.push_back(*w);
  ASSERT_EQ(walks.size(), 1u); // 20 exits from one page: one walk
  const WalkEvent &w = walks[0];
  EXPECT_EQ(w.source, EventSource::KvmTranslate);
  EXPECT_EQ(w.mode, WalkMode::Long4);
  EXPECT_TRUE(w.fetch);
  EXPECT_TRUE(w.ok);
  EXPECT_GE(w.gva, 0x40010000u);
  EXPECT_EQ(w.gpa, w.gva - 0x40000000u); // through the alias, to the code's frame
  EXPECT_EQ(w.pageSize, 2u << 20);
  ASSERT_EQ(w.stepCount, 3u);
  EXPECT_EQ(w.steps[0].tableAddr, 0x2000u); // the platform PML4
  EXPECT_EQ(w.steps[1].entry & ~0xFFFull, 0x8000u) << std::hex << w.steps[1].entry;
  EXPECT_EQ(w.steps[2].entry & ~0x1FFull, 0u); // a PS leaf (bit 7) at PA 0
  EXPECT_TRUE(w.steps[2].entry & 0x80);

  auto debug = backend->debugCounters();
  EXPECT_EQ(debug["walks_agreeing_with_kvm_translate"], 1u);
  EXPECT_EQ(debug["walks_disagreeing_with_kvm_translate"], 0u);
  EXPECT_EQ(debug["walks_skipped_repeat"], 19u);
}

TEST(KvmWalksTest, NoWalksWithoutGuestPaging) {
  RINGSIDE_REQUIRE_KVM();
  auto run = runOnKvm(sourceDir() / "lessons" / "00-hello" / "hello.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt);
  EXPECT_TRUE(run.all<WalkEvent>().empty());
}

TEST(KvmWalksTest, RunStatsAreTheVcpuBinaryStatsOfTheRun) {
  RINGSIDE_REQUIRE_KVM();
  auto backend = kvm::createKvmBackend();
  const auto path = writeFile(scratchDir("kvm_walk_stats") / "guest.asm", kAliasGuest);
  backend->load(loadGuestImage(path.string(), {}), {});
  backend->run();
  auto stats = backend->counters();
  ASSERT_TRUE(stats.count("exits")) << "no binary stats on this kernel?";
  if (kvm::probeHost().flavour == kvm::Flavour::Pvm)
    EXPECT_GT(stats["insn_emulation"], 20u); // CPL0 code is emulated, instruction by instruction
  else
    EXPECT_GE(stats["io_exits"], 20u);
}

TEST(KvmWalksTest, UnobservableSaysWhatThisHostCannotShow) {
  RunConfig plain, stepped;
  stepped.singleStep = true;
  auto kinds = [](const std::vector<Unobservable> &list) {
    std::vector<std::string> out;
    for (const auto &u : list) {
      EXPECT_FALSE(u.why.empty()) << u.kind;
      out.push_back(u.kind);
    }
    return out;
  };
  auto has = [](const std::vector<std::string> &v, const std::string &k) {
    return std::find(v.begin(), v.end(), k) != v.end();
  };
  auto pvm = kinds(kvm::unobservableFor(kvm::Flavour::Pvm, plain));
  EXPECT_TRUE(has(pvm, "exit reasons of in-kernel exits"));
  EXPECT_TRUE(has(pvm, "VMCS"));
  EXPECT_TRUE(has(pvm, "EPT"));
  EXPECT_TRUE(has(pvm, "instruction count outside single-step"));
  EXPECT_TRUE(has(pvm, "ring changes outside single-step"));
  auto pvmStep = kinds(kvm::unobservableFor(kvm::Flavour::Pvm, stepped));
  EXPECT_FALSE(has(pvmStep, "instruction count outside single-step"));
  EXPECT_TRUE(has(pvmStep, "single-step at CPL3"));
  RunConfig traced;
  traced.kernelTrace = true;
  auto vmxTraced = kinds(kvm::unobservableFor(kvm::Flavour::Vmx, traced));
  EXPECT_FALSE(has(vmxTraced, "exit reasons of in-kernel exits")); // kvm_exit gives them
  auto failed = kvm::unobservableFor(kvm::Flavour::Vmx, traced, "tracefs is not mounted");
  EXPECT_EQ(failed.back().kind, "kernel tracepoints");
  EXPECT_NE(failed.back().why.find("not mounted"), std::string::npos);
}

TEST(KvmWalksTest, BackendReportsUnobservableForItsHost) {
  RINGSIDE_REQUIRE_KVM();
  auto backend = kvm::createKvmBackend();
  auto expected = kvm::unobservableFor(kvm::probeHost().flavour, {});
  ASSERT_EQ(backend->unobservable().size(), expected.size());
  EXPECT_FALSE(expected.empty());
  EXPECT_TRUE(createBackend("emu")->unobservable().empty()); // emu models and labels all
}

} // namespace
} // namespace ringside::test
