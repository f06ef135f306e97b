#pragma once
// `ringside bench`: speed of the emu backend against raw Unicorn, measured in the same run.
// Google Benchmark times each guest run; the report gives medians and the emu/raw ratios.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ringside::cli {

struct BenchOptions {
  int repetitions = 5;
  std::string format = "console";
  bool keepEvents = false;
  uint64_t computeIterations = 10'000'000; ///< × 20 instructions
  uint64_t exitIterations = 1'000'000;     ///< × 10 instructions, one OUT each
};

/// One benchmark's figures over its repetitions.
struct BenchFigure {
  std::string name; ///< "raw_unicorn/compute", "emu/compute", "raw_unicorn/exits", "emu/exits"
  std::string unit; ///< "instructions/s" or "exits/s"
  int repetitions = 0;
  double medianSeconds = 0;
  double medianRate = 0;     ///< median over repetitions of (work / seconds)
  uint64_t instructions = 0; ///< guest instructions per run
  uint64_t exits = 0;        ///< I/O exits (emu) or OUT callbacks (raw) per run
  uint64_t events = 0;       ///< trace events per run (emu)
  uint64_t checksum = 0;     ///< guest result, equal on both engines
  std::string error;         ///< why the benchmark failed; empty when it ran
};

struct BenchReport {
  int repetitions = 0;
  bool keepEvents = false;
  uint64_t computeIterations = 0, exitIterations = 0;
  std::vector<BenchFigure> figures; ///< raw compute, emu compute, raw exits, emu exits
  double computeRatio = 0;          ///< emu / raw instructions per second
  double exitsRatio = 0;            ///< emu / raw exits per second
  double emuExitsPerSecond = 0;
  bool ok() const;
};

inline constexpr double kComputeRatioTarget = 0.5;
inline constexpr double kExitsPerSecondTarget = 1'000'000;

/// Assembles both guests and runs the four benchmarks. Throws InputError when nasm fails.
BenchReport runBench(const BenchOptions &options);

void addBenchCommand(CLI::App &app, BenchOptions &options);
int benchCommand(const BenchOptions &options);

} // namespace ringside::cli
