#pragma once
// Grades one submission in this process: builds it once, then runs every test case on a fresh
// machine under the spec's budgets and scores the checks. The `ringside grade` parent runs this
// inside an isolated child process; tests call it directly.
#include "grading/grade_result.h"
#include "grading/lab_spec.h"
#include "guest/image.h"

#include <optional>
#include <string>

namespace ringside::grading {

/// Where a submission's source is and which directory its includes may read ("" = none).
struct SubmissionFiles {
  std::string name;   ///< the student's name for reports
  std::string source; ///< the file to build
  std::string jail;   ///< %include/incbin jail (the student's folder), "" for single files
};

/// Builds the image as the spec says. Throws InputError (a build error).
GuestImage buildSubmission(const LabSpec &spec, const SubmissionFiles &files);

/// Runs one case of the spec on `backend` ("emu" or "kvm") and scores its checks.
CaseResult runCase(const LabSpec &spec, const TestCase &testCase, const GuestImage &image,
                   const std::string &backend);

/// Builds and runs every case. Never throws for bad submissions: a build error or an engine
/// error becomes the result's status and reason.
SubmissionResult gradeSubmission(const LabSpec &spec, const SubmissionFiles &files,
                                 const std::string &backend);

/// Bytes of console output kept in a case result (the checks see all of it, up to the budget).
inline constexpr size_t kConsoleExcerptBytes = 2048;

} // namespace ringside::grading
