// Smoke tests of the memory-model group of `ringside bench`: every benchmark runs, checks its
// own answers and reports a rate. Nothing here asserts a speed.
#include "cli/bench_command.h"
#include "cli/bench_mmu.h"

#include <gtest/gtest.h>

namespace ringside::cli {
namespace {

TEST(BenchMmu, EveryModelRunsAndReportsARate) {
  const MmuBenchSection s = runMmuBench(2, 3000);
  ASSERT_TRUE(s.ran);
  const char *names[] = {"mmu/native_walk", "mmu/ept_2d_walk", "mmu/ept_2d_walk_2m",
                         "mmu/shadow_hit",  "mmu/shadow_fill", "mmu/tlb_hit"};
  const unsigned refs[] = {4, 24, 19, 4, 0, 0};
  ASSERT_EQ(s.figures.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    const MmuFigure &f = s.figures[i];
    EXPECT_EQ(f.name, names[i]);
    EXPECT_EQ(f.error, "") << f.name;
    EXPECT_EQ(f.repetitions, 2) << f.name;
    EXPECT_EQ(f.refs, refs[i]) << f.name;
    EXPECT_GT(f.medianRate, 0.0) << f.name;
    EXPECT_GT(f.medianCpuRate, 0.0) << f.name;
  }
  EXPECT_EQ(s.ept2DRate, s.figures[1].medianRate);
  const auto j = mmuJson(s);
  EXPECT_EQ(j["benchmarks"].size(), 6u);
  EXPECT_TRUE(j["targets"]["ept_2d_walks_per_second"].contains("met"));
}

TEST(BenchMmu, NoMmuLeavesTheSectionOut) {
  BenchOptions o;
  o.repetitions = 1;
  o.computeIterations = 10;
  o.exitIterations = 5;
  o.kvm = false;
  o.mmu = false;
  const BenchReport r = runBench(o);
  EXPECT_FALSE(r.mmu.ran);
  EXPECT_TRUE(r.mmu.figures.empty());
  EXPECT_TRUE(r.ok());
}

} // namespace
} // namespace ringside::cli
