// Smoke test of `ringside bench --group grade` on a tiny class: both loops run every submission
// and report positive rates. Nothing here asserts a speed.
#include "cli/bench_grade.h"

#include <gtest/gtest.h>

namespace ringside::cli {
namespace {

TEST(BenchGrade, MeasuresBothLoopsOnATinyClass) {
  const GradeBenchReport r = runGradeBench({6, 1, 2, "console", RINGSIDE_CLI});
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.submissions, 6u);
  EXPECT_EQ(r.jobs, 2u);
  EXPECT_GT(r.bareRate(), 0);
  EXPECT_GT(r.gradeRate(), 0);
  EXPECT_GT(r.ratio(), 0);
}

} // namespace
} // namespace ringside::cli
