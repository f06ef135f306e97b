#include "cli_runner.h"
#include "test_paths.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

namespace ringside::test {
namespace {

TEST(CompareCommand, SameGuestUnderEachBuiltTechnique) {
  auto hello = (sourceDir() / "lessons" / "00-hello" / "hello.asm").string();
  auto r = runCli({"compare", hello, "--virt", "native,vtx", "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["techniques"].size(), 2u);
  const auto &native = j["techniques"][0], &vtx = j["techniques"][1];
  EXPECT_EQ(native["virt"], "native");
  EXPECT_EQ(native["instructions"], vtx["instructions"]); // the same guest, the same work
  EXPECT_TRUE(native["exits"].empty());
  EXPECT_EQ(vtx["exits"]["IO_INSTRUCTION"], 30);
  // 30 OUTs: native 30 x 3209 + 162 instructions; VT-x 30 x 15826 + the HLT exit (4340) + 162.
  EXPECT_DOUBLE_EQ(native["estimated_cycles"].get<double>(), 30 * 3209.0 + 162);
  EXPECT_DOUBLE_EQ(vtx["estimated_cycles"].get<double>(), 30 * 15826.0 + 4340 + 162);

  auto text = runCli({"compare", hello});
  ASSERT_EQ(text.exitCode, 0) << text.err;
  EXPECT_NE(text.out.find("2006 Pentium 4"), std::string::npos);
  EXPECT_NE(text.out.find("trap-and-emulate"), std::string::npos);
  EXPECT_NE(text.out.find("binary translation"), std::string::npos);

  auto bad = runCli({"compare", hello, "--virt", "xen"});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("not a technique"), std::string::npos);
}

TEST(CompareCommand, TrapAndBtColumns) {
  auto guest = (sourceDir() / "lessons" / "03-x86-hole" / "hole_guest.asm").string();
  auto r = runCli({"compare", guest, "--virt", "native,trap,bt", "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j["techniques"].size(), 3u);
  const auto &native = j["techniques"][0], &trap = j["techniques"][1], &bt = j["techniques"][2];
  EXPECT_EQ(native["traps"], 0);
  EXPECT_EQ(trap["traps"], 8);  // one per privileged instruction
  EXPECT_EQ(trap["leaks"], 13); // one per sensitive, unprivileged one
  EXPECT_EQ(bt["leaks"], 0);
  EXPECT_EQ(bt["bt_callouts"], 21);
  EXPECT_GT(bt["translations"].get<uint64_t>(), 0u);
  // 8 traps at 889 cycles and 1 OUT at 3209 on top of the instructions.
  EXPECT_DOUBLE_EQ(trap["estimated_cycles"].get<double>(),
                   8 * 889.0 + 3209 + trap["instructions"].get<double>());
}

TEST(CompareCommand, ByOpTableAndJson) {
  auto guest = (sourceDir() / "lessons" / "04-binary-translation" / "nanobench.asm").string();
  auto r = runCli({"compare", guest, "--virt", "native,bt", "--mmu", "shadow", "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  const auto &native = j["techniques"][0], &bt = j["techniques"][1];
  for (const char *op : {"in", "syscall", "call/ret", "pgfault", "divzero", "ptemod"})
    EXPECT_TRUE(bt["by_op"].contains(op)) << op;
  EXPECT_EQ(bt["by_op"]["ptemod"]["count"], 16);
  EXPECT_DOUBLE_EQ(bt["by_op"]["ptemod"]["cycles"].get<double>(), 16 * 391.0);
  EXPECT_DOUBLE_EQ(native["by_op"]["ptemod"]["cycles"].get<double>(), 16.0);
  EXPECT_EQ(bt["by_op"]["call/ret"]["count"], bt["parts"]["call/ret"]["count"]);
  EXPECT_GT(bt["mmu"]["emulated_writes"].get<uint64_t>(), 0u);

  auto text = runCli({"compare", guest, "--virt", "native,bt", "--by-op"});
  ASSERT_EQ(text.exitCode, 0) << text.err;
  EXPECT_NE(text.out.find("per operation"), std::string::npos);
  EXPECT_NE(text.out.find("ptemod"), std::string::npos);
}

} // namespace
} // namespace ringside::test
