// `ringside snapshot save|restore --backend kvm` and `ringside migrate --backend kvm` as a
// student runs them (lessons 14 and 15): the restore runs in a new process.
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
  std::string command = std::string(RINGSIDE_CLI) + " " + args + " 2>&1";
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

TEST(KvmSnapshotCli, LessonCounterRestoresInANewProcessAndFinishes) {
  RINGSIDE_REQUIRE_KVM();
  const auto guest = (sourceDir() / "lessons" / "14-snapshots" / "counter.asm").string();
  const auto file = (scratchDir("kvm_snapshot_cli") / "c.rss").string();
  Ran save =
      ringside("snapshot save " + guest + " --backend kvm --at-insn 1500 -o " + file + " --json");
  ASSERT_EQ(save.status, 0) << save.out;
  EXPECT_EQ(nlohmann::json::parse(save.out)["instructions"], 1500);
  Ran restore = ringside("snapshot restore " + file + " --json");
  ASSERT_EQ(restore.status, 0) << restore.out;
  auto r = nlohmann::json::parse(restore.out);
  EXPECT_EQ(r["backend"], "kvm");
  EXPECT_EQ(r["console"], "0123456789\n");
  EXPECT_EQ(r["stop"], "exit-port");
  EXPECT_EQ(r["code"], 0);
  EXPECT_EQ(r["instructions"], 3090); // as one uninterrupted run (emu, or kvm --step)
}

TEST(KvmSnapshotCli, MigrateWithTheKernelsDirtyLog) {
  RINGSIDE_REQUIRE_KVM();
  const auto guest = (sourceDir() / "tests" / "guests" / "working_set.asm").string();
  // A short spin between page writes (0x1000C) and a slower modelled guest keep the stepping
  // short: ~3000 instructions in round 0, which write most of the 16-page working set.
  Ran m = ringside("migrate " + guest +
                   " --backend kvm --set 0x1000C=10 --guest-mips 0.05 --warmup 500 --json");
  ASSERT_EQ(m.status, 0) << m.out;
  auto j = nlohmann::json::parse(m.out);
  EXPECT_EQ(j["backend"], "kvm");
  EXPECT_TRUE(j["memory_equal"]);
  EXPECT_TRUE(j["registers_equal"]);
  ASSERT_FALSE(j["rounds"].empty());
  EXPECT_EQ(j["rounds"][0]["pages_sent"], 4096);
  EXPECT_GT(j["rounds"][0]["dirty_pages"], 0); // the working set, from KVM_GET_DIRTY_LOG
}

} // namespace
} // namespace ringside::test
