// The hostile guest corpus (tests/hostile/corpus/*.asm) on every backend that can run it. Each
// guest states in its header what it must end with per backend (`; expect: emu=budget
// kvm=timeout`; `kvm-pvm=error` overrides `kvm=` on that KVM flavour, for what a flavour cannot
// run), optionally the console text it must print (`; console: C`) and a real bug it shows
// (`; known-issue: …`, or `; known-issue-kvm: …` for one backend), which skips it.
#include "backend/backend.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "kvm_host.h"
#include "platform/platform.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

namespace ringside {
namespace {

namespace fs = std::filesystem;

/// The budgets of issue 10: emu stops on its instruction budget, kvm on its 2 s watchdog.
/// The instruction budget is what ends emu loops; its timeout only guards against a hang.
struct BackendBudget {
  const char *backend;
  uint64_t maxInstructions;
  double timeoutSeconds;
};
constexpr BackendBudget kBudgets[] = {
    {"emu", 200'000, 10.0},
    {"kvm", 200'000, 2.0},
};
/// Generous: a run that takes longer than this has ignored its budget.
constexpr double kWallBoundSeconds = 20.0;

struct GuestSpec {
  std::map<std::string, std::string> expect; ///< backend → stop kind name
  std::string console;                       ///< exact console output, when given
  bool checkConsole = false;
  uint64_t maxInstructions =
      0; ///< `; max-insns: N`: a smaller budget for a slow guest (0: default)
  std::map<std::string, std::string> knownIssue; ///< backend ("" = all) → description
};

std::string trim(const std::string &s) {
  const auto b = s.find_first_not_of(" \t\r");
  const auto e = s.find_last_not_of(" \t\r");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

/// Reads the `; key: value` header lines (leading comment block only).
GuestSpec parseSpec(const fs::path &path) {
  GuestSpec spec;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line) && line.rfind(';', 0) == 0) {
    const auto colon = line.find(':');
    if (colon == std::string::npos)
      continue;
    const std::string key = trim(line.substr(1, colon - 1));
    const std::string value = trim(line.substr(colon + 1));
    if (key == "expect") {
      std::istringstream words(value);
      std::string word;
      while (words >> word)
        if (const auto eq = word.find('='); eq != std::string::npos)
          spec.expect[word.substr(0, eq)] = word.substr(eq + 1);
    } else if (key == "console") {
      spec.console = value;
      spec.checkConsole = true;
    } else if (key == "max-insns") {
      spec.maxInstructions = std::stoull(value);
    } else if (key == "known-issue") {
      spec.knownIssue[""] = value;
    } else if (key.rfind("known-issue-", 0) == 0) {
      spec.knownIssue[key.substr(12)] = value;
    }
  }
  return spec;
}

fs::path corpusDir() { return test::sourceDir() / "tests" / "hostile" / "corpus"; }

std::vector<std::string> corpusFiles() {
  std::vector<std::string> names;
  for (const auto &entry : fs::directory_iterator(corpusDir()))
    if (entry.path().extension() == ".asm")
      names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

size_t threadCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto &entry : fs::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

TEST(HostileCorpus, EveryGuestStatesItsExpectationForBothBackends) {
  const auto files = corpusFiles();
  ASSERT_GE(files.size(), 14u);
  for (const auto &name : files) {
    const auto spec = parseSpec(corpusDir() / name);
    EXPECT_TRUE(spec.expect.count("emu") && spec.expect.count("kvm")) << name;
  }
}

TEST(HostileCorpus, SpecParserReadsEveryKey) {
  const auto path = test::writeFile(
      test::scratchDir("hostile_spec") / "g.asm",
      "; a guest\n; expect: emu=budget kvm=timeout\n"
      "; expect: kvm-pvm=error\n; max-insns: 5000\n; console: hi there\n; known-issue-kvm: hangs\n"
      "bits 16\n"
      "; expect: emu=hlt\n");
  const auto spec = parseSpec(path);
  EXPECT_EQ(spec.expect.at("emu"), "budget"); // the line after the header block is ignored
  EXPECT_EQ(spec.expect.at("kvm"), "timeout");
  EXPECT_EQ(spec.expect.at("kvm-pvm"), "error");
  EXPECT_EQ(spec.maxInstructions, 5000u);
  EXPECT_TRUE(spec.checkConsole);
  EXPECT_EQ(spec.console, "hi there");
  EXPECT_EQ(spec.knownIssue.at("kvm"), "hangs");
  EXPECT_EQ(spec.knownIssue.count(""), 0u);
}

// Names the backend in test output instead of dumping the struct's bytes.
void PrintTo(const BackendBudget &budget, std::ostream *out) { *out << budget.backend; }

using Param = std::tuple<std::string, BackendBudget>;

class HostileGuest : public ::testing::TestWithParam<Param> {};

TEST_P(HostileGuest, EndsWithTheExpectedStopWithinItsBudget) {
  const auto &[name, budget] = GetParam();
  const std::string backendName = budget.backend;
  const auto spec = parseSpec(corpusDir() / name);
  for (const auto &key : {std::string{}, backendName})
    if (auto it = spec.knownIssue.find(key); it != spec.knownIssue.end())
      GTEST_SKIP() << "known issue: " << it->second;
  ASSERT_TRUE(spec.expect.count(backendName)) << name << " has no expectation for " << backendName;
  std::string expected = spec.expect.at(backendName);
  if (backendName == "kvm") {
    auto probe = kvm::probeHost();
    if (!probe.usable())
      GTEST_SKIP() << probe.reason;
    const auto flavoured = spec.expect.find(backendName + "-" + kvm::flavourId(probe.flavour));
    if (flavoured != spec.expect.end())
      expected = flavoured->second;
  }

  const size_t threadsBefore = threadCount();
  RunConfig config;
  config.maxInstructions = spec.maxInstructions ? spec.maxInstructions : budget.maxInstructions;
  config.timeoutSeconds = budget.timeoutSeconds;
  RunResult result;
  std::vector<Event> events;
  std::string console;
  double seconds = 0;
  {
    auto backend = createBackend(backendName);
    backend->load(loadGuestImage((corpusDir() / name).string(), {}), config);
    const auto start = std::chrono::steady_clock::now();
    result = backend->run();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    events = backend->trace().events();
    console = backend->platform().console();
  }

  EXPECT_EQ(stopKindName(result.stop.kind), expected) << "stop message: " << result.stop.message;
  EXPECT_LT(seconds, kWallBoundSeconds);
  ASSERT_FALSE(events.empty());
  const auto stops = std::count_if(events.begin(), events.end(), [](const Event &e) {
    return std::holds_alternative<StopEvent>(e.body);
  });
  EXPECT_EQ(stops, 1);
  ASSERT_TRUE(std::holds_alternative<StopEvent>(events.back().body)) << "the stop is not last";
  EXPECT_EQ(std::get<StopEvent>(events.back().body).kind, result.stop.kind);
  if (spec.checkConsole) {
    EXPECT_EQ(console, spec.console);
  }
  // The backend is gone: whatever threads it started (watchdog, vCPU) must be gone too.
  EXPECT_EQ(threadCount(), threadsBefore);
}

std::string paramName(const ::testing::TestParamInfo<Param> &info) {
  std::string name =
      fs::path(std::get<0>(info.param)).stem().string() + "_" + std::get<1>(info.param).backend;
  std::replace_if(
      name.begin(), name.end(), [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); },
      '_');
  return name;
}

INSTANTIATE_TEST_SUITE_P(Corpus, HostileGuest,
                         ::testing::Combine(::testing::ValuesIn(corpusFiles()),
                                            ::testing::ValuesIn(kBudgets)),
                         paramName);

} // namespace
} // namespace ringside
