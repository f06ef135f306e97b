// The graded labs of lessons 02-04 (trap-and-emulate, the x86 hole, binary translation): each
// reference solution scores full marks and each starter does not.
#include "cli_runner.h"
#include "test_paths.h"

#include <gtest/gtest.h>

namespace ringside::test {
namespace {

TEST(ClassicLabs, SolutionsScoreFullMarksAndStartersDoNot) {
  for (const char *lab : {"02-trap-emulate", "03-x86-hole", "04-binary-translation"}) {
    SCOPED_TRACE(lab);
    auto dir = sourceDir() / "courseware" / "labs" / lab;
    auto solution =
        runCli({"grade", "--quiet", (dir / "lab.toml").string(), (dir / "solution.asm").string()});
    EXPECT_EQ(solution.exitCode, 0) << solution.out << solution.err;
    EXPECT_NE(solution.out.find("10/10"), std::string::npos) << solution.out;
    auto starter =
        runCli({"grade", "--quiet", (dir / "lab.toml").string(), (dir / "starter.asm").string()});
    EXPECT_EQ(starter.exitCode, 1) << starter.out << starter.err;
  }
}

} // namespace
} // namespace ringside::test
