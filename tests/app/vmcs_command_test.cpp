#include "cli_runner.h"
#include "test_paths.h"

#include <nlohmann/json.hpp>

#include <gtest/gtest.h>

#include <fstream>

namespace ringside::test {
namespace {

uint64_t field(const nlohmann::json &j, const std::string &name) {
  for (const auto &f : j["fields"])
    if (f["name"] == name)
      return f["value"].get<uint64_t>();
  return 0;
}

TEST(VmcsCommand, ShowsTheVmcsAtAPointOfTheTrace) {
  auto hello = (sourceDir() / "lessons" / "00-hello" / "hello.asm").string();
  // A point just after the first exit's VMCS writes: the trace says where.
  auto tracePath = (scratchDir("vmcs_at") / "hello.jsonl").string();
  ASSERT_EQ(runCli({"run", hello, "--trace", tracePath}).exitCode, 0);
  uint64_t firstExit = 0;
  {
    std::ifstream in(tracePath);
    std::string line;
    while (std::getline(in, line)) {
      auto e = nlohmann::json::parse(line);
      if (e["kind"] == "exit") {
        firstExit = e["seq"].get<uint64_t>();
        break;
      }
    }
  }
  ASSERT_GT(firstExit, 0u);
  std::string at = std::to_string(firstExit + 4);
  auto early = runCli({"vmcs", hello, "--at", at, "--json"});
  ASSERT_EQ(early.exitCode, 0) << early.err;
  auto j = nlohmann::json::parse(early.out);
  EXPECT_EQ(j["at"], firstExit + 4);
  EXPECT_EQ(j["source"], "model");
  EXPECT_EQ(field(j, "VM_EXIT_REASON"), 30u) << "the first exits are OUTs";
  EXPECT_EQ(field(j, "EXIT_QUALIFICATION"), 0xE90040u);

  auto end = runCli({"vmcs", hello, "--json"});
  ASSERT_EQ(end.exitCode, 0) << end.err;
  EXPECT_EQ(field(nlohmann::json::parse(end.out), "VM_EXIT_REASON"), 12u) << "HLT last";

  auto noHlt = runCli({"vmcs", hello, "--json", "--vmx-set", "cpu_based.hlt_exiting=0"});
  ASSERT_EQ(noHlt.exitCode, 0) << noHlt.err;
  EXPECT_EQ(field(nlohmann::json::parse(noHlt.out), "VM_EXIT_REASON"), 30u);
}

TEST(VmcsCommand, PastTheEndIsAnInputError) {
  auto hello = (sourceDir() / "lessons" / "00-hello" / "hello.asm").string();
  auto r = runCli({"vmcs", hello, "--at", "999999"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("past its end"), std::string::npos) << r.err;
}

TEST(VmcsCommand, ShowsAGuestHypervisorsRegion) {
  auto vmm = (sourceDir() / "lessons" / "07-vtx-lifecycle" / "tiny_vmm.asm").string();
  auto r = runCli({"vmcs", vmm, "--region", "0x12000", "--json"});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["region"], 0x12000);
  EXPECT_EQ(field(j, "VM_EXIT_REASON"), 12u) << "the nested guest's HLT was its last exit";
  EXPECT_EQ(field(j, "HOST_TR_SELECTOR"), 0x18u);
  // Ringside's own VMCS for the same run saw the VMXOFF last.
  auto own = runCli({"vmcs", vmm, "--json"});
  ASSERT_EQ(own.exitCode, 0) << own.err;
  EXPECT_EQ(field(nlohmann::json::parse(own.out), "VM_EXIT_REASON"), 30u) << "the exit-port OUT";

  auto none = runCli({"vmcs", vmm, "--region", "0x5000"});
  EXPECT_EQ(none.exitCode, 2);
  EXPECT_NE(none.err.find("regions: 0x12000"), std::string::npos) << none.err;
}

} // namespace
} // namespace ringside::test
