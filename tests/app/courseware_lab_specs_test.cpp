// The courseware labs' grading specs against their own reference solutions and starters: the
// solution scores full marks, the untouched starter does not.
#include "cli_runner.h"
#include "test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ringside::test {
namespace {

struct Lab {
  const char *folder, *solution, *starter;
};

constexpr Lab kLabs[] = {
    {"00-hello", "solution.asm", "starter.asm"},
    {"01-rings", "solution.asm", "starter.asm"},
    {"05-paravirt", "solution.asm", "starter.asm"},
    {"06-hosted-baremetal", "solution.asm", "starter.asm"},
    {"07-vtx-lifecycle", "solution.asm", "starter.asm"},
    {"08-vm-exits", "solution.asm", "starter.asm"},
    {"09-interrupts", "solution.asm", "starter.asm"},
    {"10-shadow-paging", "solution.asm", "starter.asm"},
    {"11-ept", "solution.asm", "starter.asm"},
    {"12-io-virt", "virtio_solution.asm", "virtio_starter.asm"},
    {"13-kvm", "solution.asm", "starter.asm"},
};

nlohmann::json gradeJson(const Lab &lab, const char *file) {
  const auto dir = sourceDir() / "courseware" / "labs" / lab.folder;
  const CliResult r = runCli({"grade", "--quiet", "--jobs", "1", "--format", "json",
                              (dir / "lab.toml").string(), (dir / file).string()});
  EXPECT_TRUE(r.exited) << r.err;
  return nlohmann::json::parse(r.out)["submissions"][0];
}

TEST(CoursewareLabSpecs, SolutionsScoreFullMarksAndStartersDoNot) {
  for (const auto &lab : kLabs) {
    const auto solution = gradeJson(lab, lab.solution);
    EXPECT_EQ(solution["status"], "graded") << lab.folder;
    EXPECT_GT(solution["max_score"].get<double>(), 0) << lab.folder;
    EXPECT_DOUBLE_EQ(solution["score"].get<double>(), solution["max_score"].get<double>())
        << lab.folder;
    const auto starter = gradeJson(lab, lab.starter);
    EXPECT_LT(starter["score"].get<double>(), starter["max_score"].get<double>() / 2) << lab.folder;
  }
}

} // namespace
} // namespace ringside::test
