#include "bench_grade.h"

#include "backend/backend.h"
#include "errors.h"
#include "guest/image_loader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace ringside::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char *kSpec = R"([lab]
name = "bench: print a number"
[build]
file = "main.asm"
[run]
max_instructions = 100000
timeout_seconds = 5
[[case]]
name = "prints"
  [[case.check]]
  type = "console"
  regex = "^n=[0-9]+\\n$"
  [[case.check]]
  type = "stop"
  kind = "exit-port"
  code = 0
  [[case.check]]
  type = "count"
  event = "io[port=0xe9,write=true]"
  at_least = 3
  [[case.check]]
  type = "none"
  event = "exception"
)";

/// Student i: prints "n=<i>" in a loop and exits (every tenth forgets the exit code).
std::string studentSource(uint64_t i) {
  const std::string digits = std::to_string(i);
  std::string s = "; ringside: entry=real\nbits 16\norg 0x7C00\n        xor ax, ax\n"
                  "        mov ds, ax\n        mov si, msg\n.next:  lodsb\n        test al, al\n"
                  "        jz .done\n        out 0xE9, al\n        jmp .next\n";
  s += i % 10 == 9 ? ".done:  mov eax, 1\n" : ".done:  xor eax, eax\n";
  s += "        out 0xF4, eax\n        hlt\nmsg:    db \"n=" + digits + "\", 10, 0\n";
  return s;
}

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ringside-bench-grade-XXXXXX").string();
    if (!::mkdtemp(pattern.data()))
      throw InputError("cannot create a temporary directory for the grade benchmark");
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

/// The bare loop: assemble and run each guest, `jobs` processes splitting the class.
double timeBare(const std::vector<fs::path> &sources, unsigned jobs) {
  const auto start = Clock::now();
  std::vector<pid_t> workers;
  for (unsigned w = 0; w < jobs; ++w) {
    pid_t pid = ::fork();
    if (pid == 0) {
      int failures = 0;
      for (size_t i = w; i < sources.size(); i += jobs) {
        try {
          GuestImage image = loadGuestImage(sources[i].string());
          auto backend = createBackend("emu");
          RunConfig config;
          config.maxInstructions = 100000;
          config.timeoutSeconds = 5;
          backend->load(image, config);
          backend->run();
        } catch (const std::exception &) {
          ++failures;
        }
      }
      ::_exit(failures ? 1 : 0);
    }
    workers.push_back(pid);
  }
  bool ok = true;
  for (pid_t pid : workers) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    ok = ok && WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  if (!ok)
    throw InputError("the bare loop failed to run a guest");
  return std::chrono::duration<double>(Clock::now() - start).count();
}

/// `ringside grade` on the class, as a teacher runs it (batch mode with a journal).
double timeGrade(std::string exe, const fs::path &spec, const fs::path &klass, const fs::path &out,
                 unsigned jobs, uint64_t expected) {
  std::error_code ec;
  fs::remove_all(out, ec);
  if (exe.empty())
    exe = fs::read_symlink("/proc/self/exe", ec).string();
  std::vector<std::string> args = {exe,
                                   "grade",
                                   "--quiet",
                                   spec.string(),
                                   klass.string(),
                                   "--jobs",
                                   std::to_string(jobs),
                                   "--out",
                                   out.string(),
                                   "--format",
                                   "json"};
  std::vector<char *> argv;
  argv.reserve(args.size() + 1);
  for (auto &a : args)
    argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const auto start = Clock::now();
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    throw InputError("cannot start ringside grade");
  int status = 0;
  ::waitpid(pid, &status, 0);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  // 0 or 1 (every tenth student fails by design); anything else means the grader broke.
  if (!WIFEXITED(status) || WEXITSTATUS(status) > 1)
    throw InputError("ringside grade ended with status " + std::to_string(status));
  std::ifstream summary(out / "summary.csv");
  uint64_t lines = 0;
  for (std::string line; std::getline(summary, line);)
    ++lines;
  if (lines != expected + 1)
    throw InputError("ringside grade reported " + std::to_string(lines ? lines - 1 : 0) + " of " +
                     std::to_string(expected) + " submissions");
  return seconds;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

} // namespace

GradeBenchReport runGradeBench(const GradeBenchOptions &o) {
  GradeBenchReport report;
  report.submissions = o.submissions;
  report.repetitions = o.repetitions;
  report.jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  try {
    TempDir tmp;
    const fs::path spec = tmp.path / "lab.toml";
    std::ofstream(spec) << kSpec;
    std::vector<fs::path> sources;
    for (uint64_t i = 0; i < o.submissions; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "student-%04llu", static_cast<unsigned long long>(i));
      fs::create_directories(tmp.path / "class" / name);
      sources.push_back(tmp.path / "class" / name / "main.asm");
      std::ofstream(sources.back()) << studentSource(i);
    }
    std::vector<double> bare, grade;
    for (int r = 0; r < o.repetitions; ++r) {
      bare.push_back(timeBare(sources, report.jobs));
      grade.push_back(
          timeGrade(o.exe, spec, tmp.path / "class", tmp.path / "out", report.jobs, o.submissions));
    }
    report.bareSeconds = median(bare);
    report.gradeSeconds = median(grade);
  } catch (const std::exception &e) {
    report.error = e.what();
  }
  return report;
}

int gradeBenchCommand(const GradeBenchOptions &o) {
  const GradeBenchReport r = runGradeBench(o);
  if (o.format == "json") {
    nlohmann::ordered_json j;
    j["submissions"] = r.submissions;
    j["jobs"] = r.jobs;
    j["repetitions"] = r.repetitions;
    j["bare_seconds"] = r.bareSeconds;
    j["grade_seconds"] = r.gradeSeconds;
    j["bare_per_second"] = r.bareRate();
    j["grade_per_second"] = r.gradeRate();
    j["ratio"] = r.ratio();
    j["targets"] = {{"ratio", kGradeRatioTarget}, {"per_second", kGradeRateTarget}};
    j["error"] = r.error;
    std::cout << j.dump(2) << "\n";
  } else if (r.error.empty()) {
    std::printf("grading throughput, %llu submissions, %u jobs, median of %d\n",
                static_cast<unsigned long long>(r.submissions), r.jobs, r.repetitions);
    std::printf("  bare loop (assemble + run): %7.2f s  %7.1f submissions/s\n", r.bareSeconds,
                r.bareRate());
    std::printf("  ringside grade:             %7.2f s  %7.1f submissions/s\n", r.gradeSeconds,
                r.gradeRate());
    std::printf("  ratio %.2f (target >= %.1f), rate %s %.0f/s target\n", r.ratio(),
                kGradeRatioTarget, r.gradeRate() >= kGradeRateTarget ? "meets the" : "misses the",
                kGradeRateTarget);
  } else {
    std::cerr << "ringside: grade benchmark failed: " << r.error << "\n";
  }
  return r.error.empty() ? 0 : 1;
}

} // namespace ringside::cli
