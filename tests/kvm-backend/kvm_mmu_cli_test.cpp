// `ringside run --backend kvm --mmu ept|shadow --json` and `ringside walk --backend kvm`, as a
// student runs them: the model's counters and where each part of the data came from.
#include "kvm_guest_run.h"
#include "test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>
#include <sys/wait.h>

namespace ringside::test {
namespace {

nlohmann::json ringsideJson(const std::string &args, int *status = nullptr) {
  const std::string command = std::string(RINGSIDE_CLI) + " " + args + " 2>/dev/null";
  std::string out;
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return {};
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;)
    out.append(buf, n);
  const int rc = pclose(pipe);
  if (status)
    *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return nlohmann::json::parse(out, nullptr, false);
}

const std::string kGuest = (sourceDir() / "tests/guests/long_cr3_switch.asm").string();

TEST(KvmMmuCliTest, RunJsonSaysWhatIsRealAndWhatIsModelled) {
  RINGSIDE_REQUIRE_KVM();
  int status = -1;
  auto j = ringsideJson("run --backend kvm --mmu ept --json " + kGuest, &status);
  ASSERT_EQ(status, 0) << j.dump();
  const auto &memory = j["memory"];
  EXPECT_EQ(memory["mmu"], "ept");
  EXPECT_EQ(memory["model_drives_execution"], false);
  EXPECT_NE(memory["sources"]["real"].get<std::string>().find("KVM_TRANSLATE"), std::string::npos);
  EXPECT_NE(memory["sources"]["modelled"].get<std::string>().find("EPT"), std::string::npos);
  // One exit page (a 2 MiB guest page): one 2-D walk of 19 references, beside one real walk.
  EXPECT_EQ(memory["model"]["walk_refs"], 19);
  EXPECT_EQ(memory["model"]["walks"], 5);
  EXPECT_EQ(memory["real"]["walks"], 1);
  EXPECT_EQ(memory["real"]["walk_refs"], 3);
  EXPECT_EQ(memory["walks"], 6);
  bool said = false;
  for (const auto &u : j["unobservable"])
    said |= u["kind"].get<std::string>().find("--mmu") != std::string::npos;
  EXPECT_TRUE(said);

  auto native = ringsideJson("run --backend kvm --json " + kGuest);
  EXPECT_FALSE(native["memory"].contains("model")) << "--mmu native runs no model";
  EXPECT_EQ(native["memory"]["walks"], 1);
}

TEST(KvmMmuCliTest, WalkOnKvmIsTheEmuWalkOverTheVmsTables) {
  RINGSIDE_REQUIRE_KVM();
  const std::string args = "walk " + kGuest + " --gva 0x40000008 --mmu ept --json --backend ";
  auto kvm = ringsideJson(args + "kvm");
  auto emu = ringsideJson(args + "emu");
  ASSERT_TRUE(kvm.is_object() && emu.is_object());
  EXPECT_EQ(kvm["backend"], "kvm");
  EXPECT_EQ(kvm["source"], "model");
  EXPECT_EQ(kvm["table_refs"], 19);
  EXPECT_EQ(kvm["table_refs"], emu["table_refs"]);
  EXPECT_EQ(kvm["hpa"], emu["hpa"]);
  EXPECT_EQ(kvm["paging"]["cr3"], emu["paging"]["cr3"]);
  int status = -1;
  ringsideJson("walk " + kGuest + " --gva 0x40000008 --backend kvm --at 3", &status);
  EXPECT_EQ(status, 2) << "--at needs the emu backend's VMCS";
}

} // namespace
} // namespace ringside::test
