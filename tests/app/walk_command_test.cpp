// `ringside walk`: one translation of a guest's address from its real final (or mid-run) state,
// natively, under the modelled EPT (reference counts n·m + n + m) and under shadow paging.
#include "cli_runner.h"
#include "test_paths.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <fstream>

namespace ringside::test {
namespace {

std::string guest(const char *name) { return (sourceDir() / "tests" / "guests" / name).string(); }

nlohmann::json walkJson(std::vector<std::string> args) {
  args.insert(args.begin(), "walk");
  args.push_back("--json");
  auto r = runCli(args);
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return r.exitCode == 0 ? nlohmann::json::parse(r.out) : nlohmann::json::object();
}

TEST(WalkCommand, NativeWalkOfTheGuestsFinalTables) {
  // long_cr3_switch ends on its own tables: VA 1 GiB → PA 2 MiB through a 2 MiB PDE.
  auto j = walkJson({guest("long_cr3_switch.asm"), "--gva", "0x40000008"});
  EXPECT_EQ(j["paging"]["cr3"], 0x200000);
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["gpa"], 0x200008);
  EXPECT_EQ(j["table_refs"], 3);
  ASSERT_EQ(j["walks"].size(), 1u);
  EXPECT_EQ(j["walks"][0]["steps"].size(), 3u);
  EXPECT_EQ(j["walks"][0]["page_size"], 2 << 20);
}

TEST(WalkCommand, EptWalkCountsEveryReference) {
  // A 3-level guest walk (2 MiB page) under 4-level EPT: 3·4 + 3 + 4 = 19; with 2 MiB EPT
  // pages 3·3 + 3 + 3 = 15.
  auto j = walkJson({guest("long_cr3_switch.asm"), "--gva", "0x40000008", "--mmu", "ept"});
  EXPECT_EQ(j["source"], "model");
  EXPECT_EQ(j["outcome"], "ok");
  EXPECT_EQ(j["table_refs"], 19);
  EXPECT_EQ(j["total_refs"], 20);
  EXPECT_EQ(j["hpa"], 0x200008);
  ASSERT_EQ(j["walks"].size(), 5u); // four EPT walks and the guest's
  for (const auto &w : j["walks"])
    EXPECT_EQ(w["walk_id"], 1);
  auto big =
      walkJson({guest("long_cr3_switch.asm"), "--gva", "0x40000008", "--mmu", "ept", "--ept-2m"});
  EXPECT_EQ(big["table_refs"], 15);
  // A 32-bit guest (2 levels, 4 KiB pages) under 4-level EPT: 2·4 + 2 + 4 = 14.
  auto bits32 = walkJson({guest("paging_alias.asm"), "--gva", "0x400004", "--mmu", "ept"});
  EXPECT_EQ(bits32["table_refs"], 14);
}

TEST(WalkCommand, FaultsAreReportedNotFatal) {
  // paging_alias maps VA 0x401000 for the kernel only: a user write faults with P|W|U.
  auto native = walkJson({guest("paging_alias.asm"), "--gva", "0x401000", "--write", "--user"});
  EXPECT_EQ(native["ok"], false);
  EXPECT_EQ(native["walks"][0]["error_code"], 7);
  auto ept = walkJson(
      {guest("paging_alias.asm"), "--gva", "0x401000", "--write", "--user", "--mmu", "ept"});
  EXPECT_EQ(ept["outcome"], "page-fault");
}

TEST(WalkCommand, ShadowWalkIsAHiddenFaultThenAHit) {
  auto j = walkJson({guest("long_cr3_switch.asm"), "--gva", "0x40000008", "--mmu", "shadow"});
  EXPECT_EQ(j["ok"], true);
  EXPECT_EQ(j["hidden_fault"], true);
  EXPECT_EQ(j["true_fault"], false);
  EXPECT_EQ(j["exits"], 1);
  EXPECT_EQ(j["hpa"], 0x200008);
  // shadow miss, the VMM's guest walk, the refilled shadow walk, the second access's walk
  ASSERT_EQ(j["walks"].size(), 4u);
  EXPECT_EQ(j["walks"][0]["purpose"], "shadow");
  EXPECT_EQ(j["walks"][1]["purpose"], "guest-tables");
  EXPECT_EQ(j["walks"][3]["ok"], true);
}

TEST(WalkCommand, AtASequenceNumber) {
  // Event 20 after the first VM entry of paging_alias comes after paging is on with the page
  // directory at 0x100000 (the trace opens with the VMM's initial VMCS writes: skip them).
  auto tracePath = (scratchDir("walk_at") / "alias.jsonl").string();
  ASSERT_EQ(runCli({"run", guest("paging_alias.asm"), "--trace", tracePath}).exitCode, 0);
  uint64_t firstEntry = 0;
  std::ifstream in(tracePath);
  for (std::string line; std::getline(in, line);) {
    auto e = nlohmann::json::parse(line);
    if (e["kind"] == "entry") {
      firstEntry = e["seq"].get<uint64_t>();
      break;
    }
  }
  ASSERT_GT(firstEntry, 0u);
  uint64_t at = firstEntry - 1 + 20;
  auto j = walkJson({guest("paging_alias.asm"), "--gva", "0x400004", "--at", std::to_string(at)});
  EXPECT_EQ(j["at"], at);
  EXPECT_EQ(j["paging"]["cr3"], 0x100000);
  EXPECT_EQ(j["gpa"], 0x200004);
}

TEST(WalkCommand, BadInputIsOneLineAndStatusTwo) {
  auto bad = runCli({"walk", guest("paging_alias.asm"), "--gva", "zz"});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.err.find("invalid address"), std::string::npos) << bad.err;
  auto past = runCli({"walk", guest("paging_alias.asm"), "--gva", "0", "--at", "999999"});
  EXPECT_EQ(past.exitCode, 2);
  EXPECT_NE(past.err.find("past its end"), std::string::npos) << past.err;
  auto both = runCli({"walk", guest("paging_alias.asm"), "--gva", "0", "--write", "--fetch"});
  EXPECT_EQ(both.exitCode, 2);
  auto mmu = runCli({"walk", guest("paging_alias.asm"), "--gva", "0", "--mmu", "npt"});
  EXPECT_EQ(mmu.exitCode, 2);
}

} // namespace
} // namespace ringside::test
