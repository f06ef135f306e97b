#pragma once
// What grading one submission produced: per case, per check, points and a reason. The same
// structure travels from the grading child to the parent (JSON), into the journal and into
// every output format.
#include "grading/lab_spec.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ringside::grading {

struct CheckResult {
  std::string name;
  std::string type;
  double points = 0; ///< awarded
  double maxPoints = 0;
  bool passed = false; ///< full points
  std::string message; ///< why it failed (or what it saw), one line
};

struct CaseResult {
  std::string name;
  bool hidden = false;
  std::string stop; ///< stop kind name ("hlt", "exit-port", …), "" when it did not run
  int64_t exitCode = 0;
  std::string stopMessage; ///< the engine's reason, or why the case did not run
  uint64_t instructions = 0;
  std::string console; ///< the start of the console output (bounded)
  std::vector<CheckResult> checks;
  double score() const;
  double maxPoints() const;
};

/// graded: the checks ran. build-error: the submission did not build (or was refused).
/// error: the engine or the child died, or exceeded its process budget.
enum class Status : uint8_t { Graded, BuildError, Error };
const char *statusName(Status status);

struct SubmissionResult {
  std::string submission; ///< the student's name (file or folder name)
  Status status = Status::Graded;
  std::string reason; ///< for build-error/error: what happened, one line
  std::vector<CaseResult> cases;
  std::string backend, hostKind, version;
  double seconds = 0; ///< wall time spent grading it
  double score() const;
  double maxScore() const;
  bool allPassed() const;
};

/// Every check of the spec failed with `reason` (a submission that did not build or run still
/// lists every check, so pass rates and reports line up).
SubmissionResult failedResult(const LabSpec &spec, const std::string &submission, Status status,
                              const std::string &reason);

nlohmann::ordered_json toJson(const SubmissionResult &result);
/// Throws nlohmann::json::exception on a malformed object.
SubmissionResult resultFromJson(const nlohmann::json &j);

/// The Ringside version (CMake's PROJECT_VERSION).
const char *ringsideVersion();

} // namespace ringside::grading
