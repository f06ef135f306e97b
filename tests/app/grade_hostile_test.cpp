// The hostile corpus (tests/grading/hostile/submissions, plus a 1 GB sparse file and a symlink
// made here) graded as one class batch: every submission gets a score and its reason, the batch
// finishes in bounded time, and nothing is written outside --out.
#include "cli_runner.h"
#include "test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>

#include <fcntl.h>
#include <unistd.h>

namespace ringside::test {
namespace {

namespace fs = std::filesystem;

/// Every file under `dir` with its size and modification time: a change anywhere shows.
std::map<std::string, std::string> snapshot(const fs::path &dir) {
  std::map<std::string, std::string> files;
  for (const auto &e : fs::recursive_directory_iterator(dir)) {
    std::error_code ec;
    const auto status = fs::symlink_status(e.path(), ec);
    std::string what = std::to_string(static_cast<int>(status.type()));
    if (fs::is_regular_file(status))
      what += ":" + std::to_string(fs::file_size(e.path())) + ":" +
              std::to_string(fs::last_write_time(e.path()).time_since_epoch().count());
    files[fs::relative(e.path(), dir).string()] = what;
  }
  return files;
}

/// The reason each submission's result must give: the `; expect-reason:` line of its source,
/// or this table for what has no source to hold one.
std::string expectedReason(const fs::path &entry) {
  static const std::map<std::string, std::string> kTable = {
      {"malformed_elf.bin", "ELF"},
      {"random_bytes.bin", "expected"},
      {"missing_file", "cannot open guest 'main.asm'"},
      {"huge.bin", "the lab accepts at most"},
      {"symlink_incbin", "refused"},
  };
  if (auto it = kTable.find(entry.filename().string()); it != kTable.end())
    return it->second;
  const fs::path source = fs::is_directory(entry) ? entry / "main.asm" : entry;
  std::ifstream in(source);
  std::string line;
  while (std::getline(in, line))
    if (auto at = line.find("expect-reason: "); at != std::string::npos)
      return line.substr(at + 15);
  return "";
}

TEST(GradeHostile, EverySubmissionGetsAScoreAndAReasonAndNothingLeaks) {
  const fs::path root = scratchDir("grade-hostile");
  const fs::path corpus = sourceDir() / "tests" / "grading" / "hostile";
  const fs::path klass = root / "class";
  fs::copy(corpus / "submissions", klass, fs::copy_options::recursive);
  // A 1 GB file, sparse so it costs no disk.
  {
    const int fd = ::open((klass / "huge.bin").c_str(), O_CREAT | O_WRONLY, 0644);
    ASSERT_GE(fd, 0);
    ASSERT_EQ(::ftruncate(fd, off_t{1} << 30), 0);
    ::close(fd);
  }
  fs::create_directories(klass / "symlink_incbin");
  writeFile(klass / "symlink_incbin" / "main.asm", "bits 16\nhlt\nincbin \"data.bin\"\n");
  fs::create_symlink("/etc/hostname", klass / "symlink_incbin" / "data.bin");
  const size_t count =
      static_cast<size_t>(std::distance(fs::directory_iterator(klass), fs::directory_iterator()));
  ASSERT_GE(count, 20u);

  const fs::path tmp = root / "tmp";
  const fs::path out = root / "out";
  fs::create_directories(tmp);
  const auto before = snapshot(klass);
  const char *oldTmp = std::getenv("TMPDIR");
  const std::string savedTmp = oldTmp ? oldTmp : "";
  ::setenv("TMPDIR", tmp.c_str(), 1);
  const auto start = std::chrono::steady_clock::now();
  const CliResult r = runCli({"grade", "--quiet", (corpus / "lab.toml").string(), klass.string(),
                              "--format", "json", "--jobs", "2", "--out", out.string()},
                             std::chrono::seconds(120));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (oldTmp)
    ::setenv("TMPDIR", savedTmp.c_str(), 1);
  else
    ::unsetenv("TMPDIR");

  ASSERT_TRUE(r.exited) << r.err;
  EXPECT_EQ(r.exitCode, 1) << r.err; // some failed; the harness did not break
  EXPECT_LT(seconds, 60.0);
  EXPECT_EQ(snapshot(klass), before) << "the batch changed the submissions";
  EXPECT_TRUE(fs::is_empty(tmp)) << "the batch wrote outside --out";
  for (const auto &e : fs::directory_iterator(out))
    EXPECT_TRUE(e.path().filename() == "journal.jsonl" || e.path().filename() == "report.json" ||
                e.path().filename() == "summary.csv" || e.path().filename() == "pass_rates.csv")
        << e.path();

  const auto j = nlohmann::json::parse(r.out);
  std::map<std::string, nlohmann::json> byName;
  for (const auto &s : j["submissions"])
    byName[s["submission"].get<std::string>()] = s;
  EXPECT_EQ(byName.size(), count);
  for (const auto &entry : fs::directory_iterator(klass)) {
    const std::string name = entry.path().filename().string();
    SCOPED_TRACE(name);
    ASSERT_TRUE(byName.count(name));
    const auto &s = byName[name];
    const double score = s["score"].get<double>(), max = s["max_score"].get<double>();
    EXPECT_GE(score, 0);
    EXPECT_LE(score, max);
    EXPECT_DOUBLE_EQ(max, 4);
    // The reason: the submission's status reason, its cases' stops and its checks' messages.
    std::string said = s["reason"].get<std::string>();
    for (const auto &c : s["cases"]) {
      said += " | " + c["stop_message"].get<std::string>();
      for (const auto &k : c["checks"]) {
        if (!k["passed"].get<bool>()) {
          EXPECT_FALSE(k["message"].get<std::string>().empty());
        }
        said += " | " + k["message"].get<std::string>();
      }
    }
    const std::string want = expectedReason(entry.path());
    ASSERT_FALSE(want.empty()) << "no expected reason for " << name;
    if (want == "full")
      EXPECT_DOUBLE_EQ(score, max) << said;
    else
      EXPECT_NE(said.find(want), std::string::npos) << "wanted '" << want << "' in: " << said;
    EXPECT_EQ(said.find(sourceDir().string()), std::string::npos) << "grader paths leak: " << said;
  }
}

} // namespace
} // namespace ringside::test
