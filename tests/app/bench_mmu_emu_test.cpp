// Smoke test of `ringside bench`'s emu --mmu group: the memory-heavy guest runs with paging off
// and under native, shadow and ept, agrees on its checksum and reports ratios. No speed asserted.
#include "cli/bench_mmu_emu.h"

#include <gtest/gtest.h>

namespace ringside::cli {
namespace {

TEST(BenchMmuEmu, EveryModeRunsTheSameGuestAndReportsARatio) {
  // Without --mmu native, which takes seconds to map this guest's 1024 separate pages.
  const MmuEmuSection s = runMmuEmuBench(1, 2, false);
  ASSERT_TRUE(s.ran);
  const char *names[] = {"paging_off", "native", "shadow", "ept"};
  ASSERT_EQ(s.figures.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    const MmuEmuFigure &f = s.figures[i];
    EXPECT_EQ(f.name, names[i]);
    if (i == 1) {
      EXPECT_EQ(f.error, "skipped");
      continue;
    }
    EXPECT_EQ(f.error, "") << f.name;
    EXPECT_GT(f.ratio, 0.0) << f.name;
  }
  EXPECT_DOUBLE_EQ(s.figures[0].ratio, 1.0);
  // The model modes went through the model: at least one miss per page of the buffer.
  for (size_t i = 2; i < 4; ++i)
    EXPECT_GE(s.figures[i].counters.at("tlb_misses"), 1024u) << s.figures[i].name;
  EXPECT_GE(s.figures[2].counters.at("hidden_faults"), 1024u);
  const auto j = mmuEmuJson(s);
  EXPECT_EQ(j["runs"].size(), 4u);
}

} // namespace
} // namespace ringside::cli
