// `ringside container --compare-vm`: the same workload as a container (system calls to the
// shared kernel, no VM exits) and as an emu guest (an exit per OUT, CPUID and HLT), and the
// combined trace file. Skips, with the command's reason, where the host allows no container.
#include "cli_runner.h"
#include "test_paths.h"
#include "trace/trace_json.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <fstream>

namespace ringside::test {
namespace {

TEST(ContainerCommand, CompareVmSetsSyscallsBesideVmExits) {
  auto trace = scratchDir("container_cmd") / "both.jsonl";
  auto r = runCli({"container", "--compare-vm", "--json", "--trace", trace.string()});
  if (r.exitCode == 3)
    GTEST_SKIP() << r.err;
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["output"], "hello from the box\n");
  EXPECT_EQ(j["inside"]["pid"]["value"], 1);
  EXPECT_EQ(j["inside"]["hostname"]["detail"], "ringside-box");
  EXPECT_EQ(j["cleanup"], "complete");
  // The guest: 19 bytes, one OUT (and one exit) each, two CPUIDs, one HLT.
  EXPECT_EQ(j["compare"]["vm_exits"], 22);
  if (j["syscalls"].empty())
    GTEST_SKIP() << "no syscalls traced here: " << r.out;
    // The container: write, getpid, uname, exit_group. Under ASan the workload (a fork of this
    // instrumented binary) makes a few more of the sanitizer runtime's own.
#ifdef __SANITIZE_ADDRESS__
  EXPECT_GE(j["compare"]["container_syscalls"], 4);
#else
  EXPECT_EQ(j["compare"]["container_syscalls"], 4);
#endif
  auto rows = j["compare"]["rows"];
  ASSERT_GE(rows.size(), 4u);
  EXPECT_EQ(rows[0]["container"], "write() = 19");
  EXPECT_EQ(rows[0]["vm"], "VM exit IO_INSTRUCTION (OUT 0x3F8) ×19");
  EXPECT_EQ(rows[1]["container"], "getpid() = 1");
  EXPECT_EQ(rows[1]["vm"], "VM exit CPUID ×2");

  // One file: the container's events, then the guest's, numbered on.
  auto events = readJsonl(trace);
  size_t containers = 0, exits = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    EXPECT_EQ(events[i].seq, i);
    containers += std::holds_alternative<ContainerEvent>(events[i].body);
    exits += std::holds_alternative<ExitEvent>(events[i].body);
  }
  EXPECT_GT(containers, 10u);
  EXPECT_EQ(exits, 22u);
}

TEST(ContainerCommand, BadCpuMaxIsAUsageError) {
  auto r = runCli({"container", "--cpu-max", "fast"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("--cpu-max"), std::string::npos) << r.err;
}

// Lab 16's spec grades its guest half: the solution gets every point, the starter few.
nlohmann::json gradeLab16(const std::string &file) {
  auto lab = sourceDir() / "courseware" / "labs" / "16-containers";
  auto r = runCli({"grade", "--quiet", (lab / "lab.toml").string(), (lab / file).string(),
                   "--format", "json", "--jobs", "1"});
  EXPECT_LE(r.exitCode, 1) << r.err;
  return nlohmann::json::parse(r.out)["submissions"][0];
}

TEST(ContainerLab, SolutionScoresFullMarksAndStarterDoesNot) {
  auto solution = gradeLab16("solution.asm");
  EXPECT_EQ(solution["score"], 10) << solution.dump();
  EXPECT_EQ(solution["max_score"], 10);
  auto starter = gradeLab16("starter.asm");
  EXPECT_EQ(starter["status"], "graded");
  EXPECT_LT(starter["score"].get<double>(), 5);
}

} // namespace
} // namespace ringside::test
