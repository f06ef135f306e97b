// `ringside info` and `ringside run --backend auto`, run as a student would run them.
#include "kvm_host.h"
#include "test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <string>

namespace ringside::test {
namespace {

std::string capture(const std::string &args) {
  std::string command = std::string(RINGSIDE_CLI) + " " + args;
  FILE *pipe = popen(command.c_str(), "r");
  if (!pipe)
    return {};
  std::string out;
  char buf[4096];
  for (size_t n; (n = fread(buf, 1, sizeof buf, pipe)) > 0;)
    out.append(buf, n);
  pclose(pipe);
  return out;
}

TEST(InfoCommandTest, JsonMatchesTheProbe) {
  auto probe = kvm::probeHost();
  auto j = nlohmann::json::parse(capture("info --json"));
  EXPECT_EQ(j["kvm"]["usable"], probe.usable());
  EXPECT_EQ(j["kvm"]["flavour"], kvm::flavourId(probe.flavour));
  EXPECT_EQ(j["auto"], probe.usable() ? "kvm" : "emu");
  if (probe.usable()) {
    EXPECT_EQ(j["kvm"]["api_version"], 12);
    EXPECT_EQ(j["kvm"]["capabilities"]["paging32"], kvm::capabilitiesFor(probe).paging32);
  } else {
    EXPECT_EQ(j["kvm"]["reason"], probe.reason);
  }
}

TEST(InfoCommandTest, HumanOutputNamesTheFlavour) {
  auto probe = kvm::probeHost();
  if (!probe.usable())
    GTEST_SKIP() << probe.reason;
  std::string out = capture("info");
  EXPECT_NE(out.find(kvm::flavourName(probe.flavour)), std::string::npos) << out;
  EXPECT_NE(out.find("--backend auto uses: kvm"), std::string::npos) << out;
}

TEST(InfoCommandTest, AutoPicksKvmWhenUsable) {
  auto probe = kvm::probeHost();
  auto hello = sourceDir() / "lessons" / "00-hello" / "hello.asm";
  // stderr into stdout: the fallback line must appear only when falling back.
  std::string out = capture("run --backend auto --json " + hello.string() + " 2>&1");
  bool fellBack = out.find("ringside: using emu backend: ") != std::string::npos;
  EXPECT_EQ(fellBack, !probe.usable()) << out;
  auto j = nlohmann::json::parse(out.substr(out.find('{')));
  EXPECT_EQ(j["backend"], probe.usable() ? "kvm" : "emu");
  EXPECT_EQ(j["stop"]["kind"], "hlt");
}

} // namespace
} // namespace ringside::test
