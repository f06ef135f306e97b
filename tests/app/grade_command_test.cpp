// `ringside grade` end to end: the worked example lab (reference 100%, half-done partial),
// every output format checked against its schema, exit statuses, and a broken spec.
#include "cli_runner.h"
#include "test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>

namespace ringside::test {
namespace {

namespace fs = std::filesystem;

fs::path labDir() { return sourceDir() / "courseware" / "labs" / "example"; }
std::string spec() { return (labDir() / "lab.toml").string(); }

CliResult grade(std::vector<std::string> args) {
  args.insert(args.begin(), {"grade", "--quiet"});
  return runCli(args);
}

TEST(GradeCommand, ReferenceSolutionScoresFullMarks) {
  const CliResult r =
      grade({spec(), (labDir() / "reference").string(), "--format", "json", "--jobs", "1"});
  ASSERT_TRUE(r.exited) << r.err;
  EXPECT_EQ(r.exitCode, 0) << r.out << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["backend"], "emu");
  EXPECT_FALSE(j["host"].get<std::string>().empty());
  EXPECT_FALSE(j["version"].get<std::string>().empty());
  const auto &s = j["submissions"][0];
  EXPECT_EQ(s["status"], "graded");
  EXPECT_DOUBLE_EQ(s["score"].get<double>(), 18);
  EXPECT_DOUBLE_EQ(s["max_score"].get<double>(), 18);
}

TEST(GradeCommand, HalfDoneSolutionGetsThePartialCreditItEarned) {
  const CliResult r = grade({spec(), (labDir() / "half-done").string(), "--format", "gradescope"});
  ASSERT_TRUE(r.exited) << r.err;
  EXPECT_EQ(r.exitCode, 1);
  const auto j = nlohmann::json::parse(r.out);
  // It sums and exits right (2+3, 2, 2+1 points) and raises no exception (1); it never prints
  // (2+1+2) nor executes CPUID (1+1).
  EXPECT_DOUBLE_EQ(j["score"].get<double>(), 11);
  EXPECT_DOUBLE_EQ(j["max_score"].get<double>(), 18);
  for (const char *key : {"score", "max_score", "tests", "output", "visibility"})
    EXPECT_TRUE(j.contains(key)) << key;
  size_t hidden = 0;
  for (const auto &t : j["tests"]) {
    for (const char *key : {"name", "score", "max_score", "output", "visibility"})
      EXPECT_TRUE(t.contains(key)) << key;
    hidden += t["visibility"] == "hidden";
  }
  EXPECT_EQ(j["tests"].size(), 11u);
  EXPECT_EQ(hidden, 3u);
}

TEST(GradeCommand, TheStarterScoresLittle) {
  const CliResult r = grade({spec(), (labDir() / "starter").string(), "--format", "json"});
  EXPECT_EQ(r.exitCode, 1);
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_LT(j["submissions"][0]["score"].get<double>(), 5);
}

TEST(GradeCommand, JunitXmlParsesAndClassroomHasItsKeys) {
  const fs::path out = scratchDir("grade-formats");
  const CliResult junit =
      grade({spec(), (labDir() / "half-done").string(), (labDir() / "reference").string(),
             "--format", "junit", "--out", out.string()});
  ASSERT_TRUE(junit.exited) << junit.err;
  EXPECT_EQ(junit.exitCode, 1);
  const fs::path xml = out / "report.xml";
  ASSERT_TRUE(fs::exists(xml));
  // An independent XML parser, counting what it found.
  const std::string check = "python3 -c \"import sys, xml.etree.ElementTree as E; "
                            "r = E.parse(sys.argv[1]).getroot(); "
                            "assert r.tag == 'testsuites', r.tag; "
                            "assert len(r.findall('testsuite')) == 2; "
                            "assert len(r.findall('.//testcase')) == 22; "
                            "assert len(r.findall('.//failure')) == 5\" '" +
                            xml.string() + "'";
  EXPECT_EQ(std::system(check.c_str()), 0);
  EXPECT_TRUE(fs::exists(out / "summary.csv"));
  EXPECT_TRUE(fs::exists(out / "pass_rates.csv"));
  EXPECT_TRUE(fs::exists(out / "journal.jsonl"));
  EXPECT_FALSE(fs::exists(out / ".work"));

  const CliResult classroom =
      grade({spec(), (labDir() / "reference").string(), "--format", "classroom"});
  EXPECT_EQ(classroom.exitCode, 0);
  const auto j = nlohmann::json::parse(classroom.out);
  EXPECT_EQ(j["status"], "pass");
  EXPECT_DOUBLE_EQ(j["max_score"].get<double>(), 18);
  for (const auto &t : j["tests"])
    for (const char *key : {"name", "status", "score", "message"})
      EXPECT_TRUE(t.contains(key)) << key;
}

TEST(GradeCommand, TextReportSaysWhatFailedAndWhy) {
  const CliResult r = grade({spec(), (labDir() / "half-done").string()});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.out.find("backend emu"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("ringside "), std::string::npos);
  EXPECT_NE(r.out.find("FAIL executes CPUID once [0/1]: exit[reason=CPUID]: found 0, expected "
                       "exactly 1"),
            std::string::npos)
      << r.out;
  // Hidden cases are scored but not explained.
  EXPECT_NE(r.out.find("case (hidden): 3/5"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("ten numbers"), std::string::npos);
}

TEST(GradeCommand, BrokenSpecsAndBadArgumentsExitTwo) {
  const fs::path dir = scratchDir("grade-bad-spec");
  writeFile(dir / "lab.toml", "[lab]\nname = \"x\"\n[build]\nfile = \"a.asm\"\n[[case]]\n"
                              "name = \"c\"\n  [[case.check]]\n  type = \"stop\"\n  "
                              "kind = \"halted\"\n");
  CliResult r = grade({(dir / "lab.toml").string(), (labDir() / "reference").string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("lab.toml:9: case[0].check[0].kind: unknown stop kind 'halted'"),
            std::string::npos)
      << r.err;
  r = grade({spec(), (dir / "nobody").string()});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos);
  r = grade({spec(), (labDir() / "reference").string(), "--backend", "kvm"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.err.find("allow_kvm"), std::string::npos) << r.err;
}

TEST(GradeCommand, TheSameSubmissionAlwaysGetsTheSameResult) {
  const CliResult a = grade({spec(), (labDir() / "half-done").string(), "--format", "json"});
  const CliResult b = grade({spec(), (labDir() / "half-done").string(), "--format", "json"});
  auto strip = [](nlohmann::json j) {
    for (auto &s : j["submissions"])
      s.erase("seconds");
    return j;
  };
  EXPECT_EQ(strip(nlohmann::json::parse(a.out)), strip(nlohmann::json::parse(b.out)));
}

/// A spinning guest under a spec whose process limits end it before its own budgets do.
CliResult gradeSpinUnder(const std::string &test, const std::string &run,
                         const std::string &limits) {
  const fs::path dir = scratchDir(test);
  writeFile(dir / "lab.toml", "[lab]\nname = \"limits\"\n[build]\nfile = \"main.asm\"\n[run]\n" +
                                  run + "\n[limits]\n" + limits +
                                  "\n[[case]]\nname = \"spin\"\n  [[case.check]]\n  type = "
                                  "\"stop\"\n  kind = \"hlt\"\n");
  writeFile(dir / "spin" / "main.asm", "; ringside: entry=real\nbits 16\norg 0x7C00\n"
                                       "spin: jmp spin\n");
  return grade({(dir / "lab.toml").string(), (dir / "spin").string(), "--format", "json"});
}

std::string reasonOf(const CliResult &r) {
  return nlohmann::json::parse(r.out)["submissions"][0]["reason"].get<std::string>();
}

TEST(GradeCommand, ProcessLimitsKillTheChildAndGradeItError) {
  const std::string endless = "max_instructions = 1000000000000\ntimeout_seconds = 60";
  CliResult r = gradeSpinUnder("grade-cpu-limit", endless, "cpu_seconds = 1");
  ASSERT_TRUE(r.exited) << r.err;
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(reasonOf(r), "CPU-time limit of 1 s exceeded");
  r = gradeSpinUnder("grade-wall-limit", endless, "wall_seconds = 0.5");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(reasonOf(r), "wall-clock budget of 0 s exceeded (killed)");
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "no address-space limit under AddressSanitizer";
#endif
  // Guest RAM the address-space limit cannot hold: the engine's allocation fails in the child.
  r = gradeSpinUnder("grade-memory-limit", endless + "\nmem_mib = 2048", "memory_mib = 3072");
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_EQ(reasonOf(r), "memory limit of 3072 MiB exceeded");
}

} // namespace
} // namespace ringside::test
