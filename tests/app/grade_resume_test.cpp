// A class batch killed with SIGKILL mid-way resumes from its journal: no submission is graded
// twice, none is lost, and what was recorded before the kill is kept as it was.
#include "cli_runner.h"
#include "test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

namespace ringside::test {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

size_t lines(const std::string &text) {
  return static_cast<size_t>(std::count(text.begin(), text.end(), '\n'));
}

TEST(GradeResume, KilledBatchResumesWithoutDuplicatesOrLoss) {
  const fs::path root = scratchDir("grade-resume");
  // Each student spins until the 0.2 s case timeout: a batch that is slow enough to kill.
  writeFile(root / "lab.toml", R"([lab]
name = "resume"
[build]
file = "main.asm"
[run]
max_instructions = 1000000000000
timeout_seconds = 0.2
[[case]]
name = "spin"
  [[case.check]]
  type = "stop"
  kind = "hlt"
)");
  constexpr int kStudents = 14;
  for (int i = 0; i < kStudents; ++i)
    writeFile(root / "class" / ("student " + std::to_string(100 + i)) / "main.asm",
              "; ringside: entry=real\nbits 16\norg 0x7C00\nspin: jmp spin\n");
  const fs::path out = root / "out";
  const fs::path journal = out / "journal.jsonl";
  const std::vector<std::string> args = {cliPath().string(),
                                         "grade",
                                         "--quiet",
                                         (root / "lab.toml").string(),
                                         (root / "class").string(),
                                         "--jobs",
                                         "2",
                                         "--out",
                                         out.string(),
                                         "--format",
                                         "json"};
  std::vector<char *> argv;
  for (const auto &a : args)
    argv.push_back(const_cast<char *>(a.c_str()));
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (lines(slurp(journal)) < 4 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ::kill(pid, SIGKILL);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the batch finished before it could be killed";

  std::string before = slurp(journal);
  before.resize(before.rfind('\n') + 1); // whole lines only
  const size_t recorded = lines(before);
  ASSERT_GE(recorded, 4u);
  ASSERT_LT(recorded, static_cast<size_t>(kStudents));
  // As if power failed in the middle of the next append.
  std::ofstream(journal, std::ios::app) << R"({"submission":"student 113","status":"gr)";

  const CliResult r = runCli({"grade", (root / "lab.toml").string(), (root / "class").string(),
                              "--jobs", "2", "--out", out.string(), "--format", "json"});
  ASSERT_TRUE(r.exited) << r.err;
  EXPECT_EQ(r.exitCode, 1) << r.err; // every student fails the hlt check
  EXPECT_NE(r.err.find("resuming: " + std::to_string(recorded) + " of " +
                       std::to_string(kStudents) + " already graded"),
            std::string::npos)
      << r.err;
  // Only the students not yet recorded were graded again.
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '['), kStudents - static_cast<long>(recorded))
      << r.err;

  const std::string after = slurp(journal);
  EXPECT_EQ(after.substr(0, before.size()), before) << "recorded results changed";
  EXPECT_EQ(lines(after), static_cast<size_t>(kStudents));
  std::set<std::string> names;
  std::istringstream in(after);
  std::string line;
  while (std::getline(in, line))
    names.insert(nlohmann::json::parse(line)["submission"].get<std::string>());
  EXPECT_EQ(names.size(), static_cast<size_t>(kStudents)) << "a student is missing or twice";
  const auto report = nlohmann::json::parse(r.out);
  EXPECT_EQ(report["submissions"].size(), static_cast<size_t>(kStudents));
  EXPECT_EQ(lines(slurp(out / "summary.csv")), static_cast<size_t>(kStudents) + 1);
}

} // namespace
} // namespace ringside::test
