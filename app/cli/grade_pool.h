#pragma once
// Runs submissions in isolated child processes, N at a time: each child is a fork of this
// single-threaded process that grades one submission and exits, in its own process group and
// working directory, with CPU, address-space and file-size limits and a network namespace of its
// own. (Forking without exec skips start-up: the parent has loaded and warmed the engine once.) A
// child that crashes, exceeds a limit or its wall-clock budget is killed and graded "error";
// nothing it does can lose another submission's result.
#include "grading/case_runner.h"
#include "grading/grade_result.h"
#include "grading/lab_spec.h"

#include <functional>
#include <string>
#include <vector>

namespace ringside::cli {

struct PoolConfig {
  std::string backend;  ///< emu or kvm
  std::string workRoot; ///< children's working and temporary directories go under here
  unsigned jobs = 1;
  bool isolateNetwork = false; ///< unshare a network namespace in every child
};

/// How the children are cut off from the network. Where this process may (root), it moves itself
/// once into a new, empty network namespace that every child inherits (grading needs no network
/// and a namespace per child costs milliseconds each); else each child unshares its own (user
/// namespaces), else nothing can be done and `isolated` is false.
struct NetworkIsolation {
  bool isolated = false;
  bool perChild = false;   ///< PoolConfig::isolateNetwork
  std::string description; ///< for the report
};
NetworkIsolation isolateNetwork();

/// Wall-clock budget of one submission: the spec's, or every case's timeout plus slack.
double wallBudgetSeconds(const grading::LabSpec &spec);

/// Grades `jobs` (skipping none); calls `done(index, result)` in this thread as each ends, and
/// `settled()` after each group of them (with the next children already started).
void runPool(const PoolConfig &config, const grading::LabSpec &spec,
             const std::vector<grading::SubmissionFiles> &jobs,
             const std::function<void(size_t, grading::SubmissionResult)> &done,
             const std::function<void()> &settled = {});

/// Why a child that ended this way has no result (for the "error" status).
std::string childFailureReason(int waitStatus, const std::string &killedFor,
                               const std::string &stderrText, const grading::LabSpec &spec);

} // namespace ringside::cli
