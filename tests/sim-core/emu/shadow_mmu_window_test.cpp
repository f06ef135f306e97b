// Native mode's RAM windows (sim-core/emu/shadow_mmu_window.cpp): pages mapped ahead in one
// Unicorn region are still walked, filled and flushed one by one, and a page remapped to
// another frame is carved out of its window and reads that frame.
#include "backend/backend.h"
#include "guest/image_loader.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace ringside {
namespace {

// Identity-maps 0..4 MiB with 4 KiB pages, reads eight pages of one 2 MiB window, remaps
// VA 0x203000 to frame 0x300000 (INVLPG) and reads it, flushes VA 0x204000 and reads it
// again. Exit code 0 when every value read was the expected one.
constexpr const char *kGuest = R"(; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov edi, 0x100000
        mov ecx, 2 * 1024
        xor eax, eax
        rep stosd
        mov dword [0x100000], 0x101000 | 3
        mov edi, 0x101000
        mov eax, 0x3
        mov ecx, 1024
.map:   stosd
        add eax, 0x1000
        loop .map
        mov ebx, 0x200000
.mark:  mov [ebx], ebx
        add ebx, 0x1000
        cmp ebx, 0x208000
        jne .mark
        mov dword [0x300000], 0xCAFEF00D
        mov eax, 0x100000
        mov cr3, eax
        mov eax, cr0
        or eax, 0x80000000
        mov cr0, eax
        mov ebx, 0x200000
.touch: cmp [ebx], ebx
        jne fail
        add ebx, 0x1000
        cmp ebx, 0x208000
        jne .touch
        mov dword [0x101000 + 0x203 * 4], 0x300000 | 3
        invlpg [0x203000]
        cmp dword [0x203000], 0xCAFEF00D
        jne fail
        invlpg [0x204000]
        cmp dword [0x204000], 0x204000
        jne fail
        xor eax, eax
        out 0xF4, eax
fail:   mov eax, 1
        out 0xF4, eax
)";

struct WindowRun {
  RunResult result;
  std::vector<Event> events;
};

WindowRun runGuest(const char *test, const std::string &mmu) {
  const auto path = test::writeFile(test::scratchDir(test) / "guest.asm", kGuest);
  auto backend = createBackend("emu");
  RunConfig config;
  config.mmu = mmu;
  backend->load(loadGuestImage(path.string(), {}), config);
  WindowRun run;
  run.result = backend->run();
  run.events = backend->trace().events();
  return run;
}

bool inWindow(uint64_t va) { return va >= 0x200000 && va < 0x208000; }

TEST(ShadowMmuWindowTest, NativePagesOfOneWindowAreWalkedFilledAndFlushedOneByOne) {
  const WindowRun run = runGuest("ShadowMmuWindowTest.Native", "native");
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_EQ(run.result.stop.code, 0);
  std::vector<uint64_t> walks;
  std::vector<std::pair<uint64_t, uint64_t>> fills;
  for (const auto &e : run.events) {
    if (const auto *w = std::get_if<WalkEvent>(&e.body); w && inWindow(w->gva)) {
      EXPECT_TRUE(w->ok);
      walks.push_back(w->gva & ~0xFFFull);
    }
    if (const auto *t = std::get_if<TlbEvent>(&e.body);
        t && t->op == TlbOp::Fill && inWindow(t->va)) {
      EXPECT_EQ(t->pageSize, 4096u);
      fills.emplace_back(t->va, t->pa);
    }
  }
  // The eight first touches, then the remapped page and the flushed page once more each.
  const std::vector<uint64_t> expectedWalks{0x200000, 0x201000, 0x202000, 0x203000, 0x204000,
                                            0x205000, 0x206000, 0x207000, 0x203000, 0x204000};
  EXPECT_EQ(walks, expectedWalks);
  ASSERT_EQ(fills.size(), expectedWalks.size());
  for (size_t i = 0; i < 8; ++i)
    EXPECT_EQ(fills[i], std::pair(expectedWalks[i], expectedWalks[i]));
  EXPECT_EQ(fills[8], std::pair(uint64_t{0x203000}, uint64_t{0x300000}));
  EXPECT_EQ(fills[9], std::pair(uint64_t{0x204000}, uint64_t{0x204000}));
}

TEST(ShadowMmuWindowTest, TheRemappedPageReadsItsFrameUnderEveryMmu) {
  for (const char *mmu : {"shadow", "ept"}) {
    const WindowRun run = runGuest("ShadowMmuWindowTest.Models", mmu);
    EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort) << mmu << ": " << run.result.stop.message;
    EXPECT_EQ(run.result.stop.code, 0) << mmu;
  }
}

} // namespace
} // namespace ringside
