#include "grade_command.h"

#include "grade_pool.h"

#include "errors.h"
#include "grading/class_summary.h"
#include "grading/journal.h"
#include "grading/report_formats.h"
#include "kvm_host.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include <unistd.h>

namespace ringside::cli {
namespace {

namespace fs = std::filesystem;
using grading::SubmissionFiles;
using grading::SubmissionResult;

std::string hostKind() {
  const kvm::HostProbe probe = kvm::probeHost();
  return std::string("linux, kvm ") + (probe.usable() ? kvm::flavourId(probe.flavour) : "none");
}

/// Writes a file in --out atomically (temp + rename), so a kill never leaves half a report.
void writeOutFile(const fs::path &path, const std::string &text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush())
      throw InputError("cannot write '" + tmp.string() + "'");
  }
  fs::rename(tmp, path);
}

std::string resolveBackend(const GradeOptions &o, const grading::LabSpec &spec) {
  std::string backend = o.backend.empty() ? spec.backend : o.backend;
  if (backend == "kvm") {
    if (!spec.allowKvm)
      throw InputError(spec.path + ": this lab is graded on emu (set [run] allow_kvm = true to "
                                   "allow --backend kvm)");
    const kvm::HostProbe probe = kvm::probeHost();
    if (!probe.usable())
      throw InputError("--backend kvm: " + probe.reason);
  }
  return backend;
}

} // namespace

void addGradeCommand(CLI::App &app, GradeOptions &o) {
  auto *grade = app.add_subcommand(
      "grade", "Grade submissions against a lab spec, each in an isolated process");
  grade->add_option("SPEC", o.spec, "the lab spec (TOML, docs/grading.md)")->required();
  grade
      ->add_option("SUBMISSION", o.submissions,
                   "a submission file, a student's folder, or a class folder (one entry per "
                   "student)")
      ->required();
  grade->add_option("--backend", o.backend, "emu (default) or kvm, where the spec allows it")
      ->check(CLI::IsMember({"emu", "kvm"}));
  grade->add_option("--format", o.format, "text, json, junit, gradescope or classroom")
      ->check(CLI::IsMember({"text", "json", "junit", "gradescope", "classroom"}));
  grade->add_option("--jobs", o.jobs, "submissions graded at once (default: one per core)")
      ->check(CLI::Range(1u, 256u));
  grade->add_option("--out", o.out,
                    "directory for the journal, reports and class summary (a batch resumes "
                    "from its journal)");
  grade->add_flag("--show-hidden", o.showHidden,
                  "show hidden cases' checks and messages in text, junit and classroom output");
  grade->add_flag("--quiet", o.quiet, "no progress lines on stderr");
}

std::vector<SubmissionFiles> collectSubmissions(const grading::LabSpec &spec,
                                                const std::vector<std::string> &paths) {
  std::vector<SubmissionFiles> out;
  auto student = [&](const fs::path &p) {
    SubmissionFiles f;
    f.name = p.filename().string();
    if (fs::is_directory(p)) {
      f.source = (p / spec.file).string();
      f.jail = p.string();
    } else {
      f.source = p.string();
    }
    out.push_back(std::move(f));
  };
  for (const auto &text : paths) {
    const fs::path p = fs::absolute(fs::path(text)).lexically_normal();
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(p, ec)))
      throw InputError("submission '" + text + "' does not exist");
    if (fs::is_directory(p) && !fs::exists(p / spec.file)) {
      // A class folder: every visible entry is one student.
      std::vector<fs::path> entries;
      for (const auto &entry : fs::directory_iterator(p, ec))
        if (!entry.path().filename().string().starts_with("."))
          entries.push_back(entry.path());
      std::sort(entries.begin(), entries.end());
      for (const auto &entry : entries)
        student(entry);
    } else {
      student(p.filename().empty() ? p.parent_path() : p);
    }
  }
  // Names key the journal and the reports: make them unique, stably.
  std::map<std::string, int> seen;
  for (auto &f : out)
    if (int n = seen[f.name]++; n > 0)
      f.name += " (" + std::to_string(n + 1) + ")";
  return out;
}

int gradeCommand(const GradeOptions &o) {
  grading::LabSpec spec;
  std::vector<SubmissionFiles> submissions;
  std::string backend;
  try {
    spec = grading::parseLabSpec(o.spec);
    spec.path = fs::absolute(o.spec).string();
    backend = resolveBackend(o, spec);
    submissions = collectSubmissions(spec, o.submissions);
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  } catch (const fs::filesystem_error &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }
  const grading::Format format = *grading::formatByName(o.format);

  // Children work (and nasm writes its temporaries) under --out, or a private temporary
  // directory removed at the end: nothing is written anywhere else.
  fs::path workRoot;
  std::optional<grading::Journal> journal;
  try {
    if (!o.out.empty()) {
      fs::create_directories(o.out);
      workRoot = fs::absolute(o.out) / ".work";
      journal.emplace((fs::path(o.out) / "journal.jsonl").string());
    } else {
      std::string pattern = (fs::temp_directory_path() / "ringside-grade-XXXXXX").string();
      if (!::mkdtemp(pattern.data()))
        throw InputError("cannot create a temporary directory: " + std::string(strerror(errno)));
      workRoot = pattern;
    }
  } catch (const std::exception &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }

  PoolConfig config;
  config.backend = backend;
  config.workRoot = workRoot.string();
  config.jobs = o.jobs ? o.jobs : std::max(1u, std::thread::hardware_concurrency());
  const NetworkIsolation network = isolateNetwork();
  config.isolateNetwork = network.perChild;

  grading::ReportMeta meta;
  meta.lab = spec.name;
  meta.backend = backend;
  meta.hostKind = hostKind();
  meta.version = grading::ringsideVersion();
  meta.network = network.description;
  meta.showHidden = o.showHidden;
  if (!network.isolated && !o.quiet)
    std::cerr << "ringside: warning: submissions are not cut off from the network: "
              << network.description << "\n";

  // Resume: whatever the journal holds is done.
  std::vector<std::optional<SubmissionResult>> results(submissions.size());
  std::vector<SubmissionFiles> todo;
  std::vector<size_t> todoIndex;
  for (size_t i = 0; i < submissions.size(); ++i) {
    if (journal) {
      auto it = journal->done().find(submissions[i].name);
      if (it != journal->done().end()) {
        results[i] = it->second;
        continue;
      }
    }
    todo.push_back(submissions[i]);
    todoIndex.push_back(i);
  }
  if (journal && !o.quiet && todo.size() < submissions.size())
    std::cerr << "ringside: resuming: " << submissions.size() - todo.size() << " of "
              << submissions.size() << " already graded in " << o.out << "/journal.jsonl\n";

  // Group commit: results are appended as they come and made durable together, at most
  // kSyncInterval apart; a progress line is printed once its result is durable.
  constexpr auto kSyncInterval = std::chrono::milliseconds(50);
  auto lastSync = std::chrono::steady_clock::now();
  std::vector<std::string> unsynced;
  int harnessError = 0;
  auto commit = [&](bool force) {
    if (unsynced.empty() || (!force && std::chrono::steady_clock::now() - lastSync < kSyncInterval))
      return;
    if (journal) {
      try {
        journal->sync();
      } catch (const InputError &e) {
        std::cerr << "ringside: " << e.what() << "\n";
        harnessError = 2;
      }
    }
    lastSync = std::chrono::steady_clock::now();
    if (!o.quiet)
      for (const auto &line : unsynced)
        std::cerr << line;
    unsynced.clear();
  };
  size_t finished = submissions.size() - todo.size();
  runPool(
      config, spec, todo,
      [&](size_t k, SubmissionResult r) {
        r.hostKind = meta.hostKind;
        if (journal) {
          try {
            journal->append(r, /*sync=*/false);
          } catch (const InputError &e) {
            std::cerr << "ringside: " << e.what() << "\n";
            harnessError = 2;
          }
        }
        ++finished;
        std::ostringstream line;
        line << "[" << finished << "/" << submissions.size() << "] " << r.submission << ": "
             << r.score() << "/" << r.maxScore();
        if (r.status != grading::Status::Graded)
          line << " (" << statusName(r.status) << ": " << r.reason << ")";
        unsynced.push_back(line.str() + "\n");
        results[todoIndex[k]] = std::move(r);
      },
      [&] { commit(false); });
  commit(true);

  std::vector<SubmissionResult> all;
  all.reserve(results.size());
  for (auto &r : results)
    all.push_back(std::move(*r));
  std::string report = grading::renderReport(format, all, meta);
  if (format == grading::Format::Text && all.size() > 1)
    report += "\npass rates:\n" + grading::passRateTable(spec, all);
  std::cout << report;
  std::cout.flush();

  std::error_code ec;
  fs::remove_all(workRoot, ec);
  if (!o.out.empty()) {
    try {
      const fs::path dir(o.out);
      writeOutFile(dir / (std::string("report.") + grading::formatExtension(format)), report);
      writeOutFile(dir / "summary.csv", grading::classSummaryCsv(spec, all));
      writeOutFile(dir / "pass_rates.csv", grading::passRateCsv(spec, all));
    } catch (const std::exception &e) {
      std::cerr << "ringside: " << e.what() << "\n";
      return 2;
    }
  }
  if (harnessError)
    return harnessError;
  const bool allPassed =
      std::all_of(all.begin(), all.end(), [](const SubmissionResult &r) { return r.allPassed(); });
  return allPassed ? 0 : 1;
}

} // namespace ringside::cli
