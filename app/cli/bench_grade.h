#pragma once
// `ringside bench --group grade`: grading throughput on a generated class of small submissions,
// against a bare loop that only assembles and runs each guest (the same guests, the same
// budgets, the same number of processes, but no spec, checks, child isolation or journal).
#include <cstdint>
#include <string>

namespace ringside::cli {

struct GradeBenchOptions {
  uint64_t submissions = 200;
  int repetitions = 3;
  unsigned jobs = 0; ///< 0: one per core
  std::string format = "console";
  std::string exe; ///< the ringside binary to time (default: this process's own)
};

struct GradeBenchReport {
  uint64_t submissions = 0;
  unsigned jobs = 0;
  int repetitions = 0;
  double bareSeconds = 0;  ///< median over repetitions
  double gradeSeconds = 0; ///< median over repetitions
  double bareRate() const { return bareSeconds > 0 ? double(submissions) / bareSeconds : 0; }
  double gradeRate() const { return gradeSeconds > 0 ? double(submissions) / gradeSeconds : 0; }
  double ratio() const { return bareRate() > 0 ? gradeRate() / bareRate() : 0; }
  std::string error; ///< why it could not be measured; empty when it was
};

inline constexpr double kGradeRatioTarget = 0.7;
inline constexpr double kGradeRateTarget = 20.0; ///< submissions per second

/// Generates the class in a temporary directory (removed after) and times both loops.
GradeBenchReport runGradeBench(const GradeBenchOptions &options);
/// Prints the report; 0 when it was measured (targets are reported, not asserted).
int gradeBenchCommand(const GradeBenchOptions &options);

} // namespace ringside::cli
