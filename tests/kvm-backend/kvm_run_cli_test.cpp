// `ringside run --backend kvm` with --step, --kernel-trace and the summary's kvm additions, run
// as a student would run it.
#include "kvm_guest_run.h"
#include "test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace ringside::test {
namespace {

struct Ran {
  std::string out;
  int status = -1;
};

Ran ringside(const std::string &args) {
  std::string command = std::string(RINGSIDE_CLI) + " " + args + " 2>/dev/null";
  Ran r;
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return r;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;)
    r.out.append(buf, n);
  const int status = pclose(pipe);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string guest(const std::string &relative) { return (sourceDir() / relative).string(); }

TEST(KvmRunCliTest, JsonHasStatsAndUnobservable) {
  RINGSIDE_REQUIRE_KVM();
  Ran r = ringside("run --backend kvm --json " + guest("tests/guests/modes_switch.asm"));
  ASSERT_EQ(r.status, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_TRUE(j["kvm_stats"].is_object());
  EXPECT_TRUE(j["kvm_stats"].contains("exits"));
  ASSERT_TRUE(j["unobservable"].is_array());
  ASSERT_FALSE(j["unobservable"].empty());
  for (const auto &u : j["unobservable"]) {
    EXPECT_TRUE(u["kind"].is_string());
    EXPECT_FALSE(u["why"].get<std::string>().empty());
  }
  EXPECT_EQ(j["kernel_trace"]["requested"], false);
  EXPECT_EQ(j["instructions"], 0);
}

TEST(KvmRunCliTest, StepCountsExactlyLikeEmu) {
  RINGSIDE_REQUIRE_KVM();
  const std::string hello = guest("lessons/00-hello/hello.asm");
  auto kvmRun = nlohmann::json::parse(ringside("run --backend kvm --step --json " + hello).out);
  auto emuRun = nlohmann::json::parse(ringside("run --backend emu --step --json " + hello).out);
  EXPECT_EQ(kvmRun["stop"]["kind"], "hlt");
  EXPECT_GT(kvmRun["instructions"].get<uint64_t>(), 0u);
  EXPECT_EQ(kvmRun["instructions"], emuRun["instructions"]);
  EXPECT_EQ(kvmRun["console"], emuRun["console"]);
  EXPECT_GE(kvmRun["debug_counters"]["single_steps"].get<uint64_t>(), 1u);
}

TEST(KvmRunCliTest, StepHonoursMaxInsns) {
  RINGSIDE_REQUIRE_KVM();
  Ran r =
      ringside("run --backend kvm --step --max-insns 300 --json " + guest("tests/guests/spin.asm"));
  EXPECT_EQ(r.status, 1);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["stop"]["kind"], "budget");
  EXPECT_EQ(j["instructions"], 300);
}

TEST(KvmRunCliTest, HumanSummaryNotesWhatIsNotObservable) {
  RINGSIDE_REQUIRE_KVM();
  Ran r = ringside("run --backend kvm " + guest("tests/guests/modes_switch.asm"));
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("not observable here:"), std::string::npos) << r.out;
}

TEST(KvmRunCliTest, EmuIgnoresStepWithANote) {
  std::string command = std::string(RINGSIDE_CLI) + " run --backend emu --step " +
                        guest("tests/guests/modes_switch.asm") + " 2>&1 >/dev/null";
  FILE *pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string err;
  char buf[1024];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;)
    err.append(buf, n);
  EXPECT_EQ(WEXITSTATUS(pclose(pipe)), 0);
  EXPECT_NE(err.find("--step ignored"), std::string::npos) << err;
}

} // namespace
} // namespace ringside::test
