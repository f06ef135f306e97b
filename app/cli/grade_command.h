#pragma once
// `ringside grade SPEC SUBMISSION… [--backend] [--format] [--jobs N] [--out DIR]`: grades
// student submissions against a lab spec (docs/grading.md), each in an isolated child process,
// and reports in text, JSON, JUnit XML, Gradescope or GitHub Classroom form. A directory of
// submissions is a class batch: journalled in --out so an interrupted batch resumes.
#include "grading/case_runner.h"

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace ringside::cli {

struct GradeOptions {
  std::string spec;
  std::vector<std::string> submissions;
  std::string backend; ///< "" = the spec's
  std::string format = "text";
  unsigned jobs = 0; ///< 0 = one per core
  std::string out;
  bool showHidden = false;
  bool quiet = false; ///< no progress lines on stderr
};

void addGradeCommand(CLI::App &app, GradeOptions &options);
/// 0: every submission got full marks; 1: some did not; 2: the spec or the harness is broken.
int gradeCommand(const GradeOptions &options);

/// The submissions named on the command line: a file, a student's folder (it holds the spec's
/// file) or a class folder (every entry in it is one student), in a stable order with unique
/// names. Throws InputError for a path that does not exist.
std::vector<grading::SubmissionFiles> collectSubmissions(const grading::LabSpec &spec,
                                                         const std::vector<std::string> &paths);

} // namespace ringside::cli
