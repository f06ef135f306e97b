// `ringside snapshot save|info|restore` and `ringside migrate` end to end: a base and a
// copy-on-write delta, a restore in a new process that finishes the guest's count, a damaged
// file refused with the section named, and a migration whose target equals its source.
#include "cli_runner.h"
#include "test_paths.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <fstream>

namespace ringside::test {
namespace {

TEST(SnapshotCommand, SaveDeltaInfoRestoreAndADamagedFile) {
  auto guest = (sourceDir() / "lessons" / "14-snapshots" / "counter.asm").string();
  auto dir = scratchDir("snapshot_command");
  auto base = (dir / "c.rss").string(), delta = (dir / "d.rss").string();
  auto s1 = runCli({"snapshot", "save", guest, "--at-insn", "1500", "-o", base, "--json"});
  ASSERT_EQ(s1.exitCode, 0) << s1.err;
  EXPECT_EQ(nlohmann::json::parse(s1.out)["instructions"], 1500);
  auto s2 = runCli(
      {"snapshot", "save", guest, "--at-insn", "3000", "-o", delta, "--parent", base, "--json"});
  ASSERT_EQ(s2.exitCode, 0) << s2.err;
  auto j = nlohmann::json::parse(s2.out);
  EXPECT_TRUE(j["delta"]);
  EXPECT_EQ(j["pages_stored"], 1); // only the counter's page changed between 1500 and 3000

  auto info = runCli({"snapshot", "info", delta, "--json"});
  ASSERT_EQ(info.exitCode, 0) << info.err;
  auto i = nlohmann::json::parse(info.out);
  EXPECT_EQ(i["parent"], "c.rss");
  EXPECT_EQ(i["backend"], "emu");

  auto restore = runCli({"snapshot", "restore", delta, "--json"});
  ASSERT_EQ(restore.exitCode, 0) << restore.err;
  auto r = nlohmann::json::parse(restore.out);
  EXPECT_EQ(r["console"], "0123456789\n");
  EXPECT_EQ(r["stop"], "exit-port");

  {
    std::fstream f(base, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    f.put('\xff');
  }
  auto bad = runCli({"snapshot", "restore", delta});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("c.rss section '"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("checksum mismatch"), std::string::npos) << bad.err;
}

TEST(MigrateCommand, TargetEqualsSourceAndRoundsFollowTheDirtyLog) {
  auto guest = (sourceDir() / "lessons" / "15-live-migration" / "working_set.asm").string();
  auto m = runCli({"migrate", guest, "--mem", "2", "--guest-mips", "10", "--set", "0x10008=200",
                   "--set", "0x1000C=5", "--set", "0x10010=100000", "--max-rounds", "3", "--json"});
  ASSERT_EQ(m.exitCode, 0) << m.err;
  auto j = nlohmann::json::parse(m.out);
  EXPECT_TRUE(j["memory_equal"]);
  EXPECT_TRUE(j["registers_equal"]);
  EXPECT_EQ(j["stop_reason"], "max-rounds");
  ASSERT_EQ(j["rounds"].size(), 3u);
  EXPECT_EQ(j["rounds"][1]["pages_sent"], j["rounds"][0]["dirty_pages"]);
  EXPECT_EQ(j["rounds"][2]["pages_sent"], j["rounds"][1]["dirty_pages"]);
  EXPECT_EQ(j["rounds"][1]["dirty_pages"], 200); // the whole working set, every round
  auto bad = runCli({"migrate", guest, "--set", "0x999999=1"});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("not inside the guest image"), std::string::npos) << bad.err;
}

} // namespace
} // namespace ringside::test
