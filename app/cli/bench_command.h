#pragma once
// `ringside bench`: speed of the emu backend against raw Unicorn, and of the kvm backend
// against bare KVM_RUN loops (bench_kvm.h), each measured in the same run. Google Benchmark
// times each guest run; the report gives medians and the backend/baseline ratios.
#include "bench_mmu.h"
#include "bench_mmu_emu.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ringside::cli {

struct BenchOptions {
  std::string group = "engine";    ///< engine (the figures below) or grade (bench_grade.h)
  uint64_t gradeSubmissions = 200; ///< --group grade: size of the generated class
  unsigned jobs = 0;               ///< --group grade: processes (0: one per core)
  int repetitions = 5;
  std::string format = "console";
  bool keepEvents = false;
  uint64_t computeIterations = 10'000'000; ///< × 20 instructions
  uint64_t exitIterations = 1'000'000;     ///< × 10 instructions, one OUT each
  bool kvm = true;                         ///< also the kvm benchmarks, when /dev/kvm is usable
  uint64_t kvmExitIterations = 10'000;     ///< OUTs per io_exit run (~9 µs each on PVM)
  uint64_t kvmColdStarts = 50;             ///< VMs per cold_start run (~1–2 ms each)
  uint64_t kvmStepIterations = 3'000;      ///< × 3 instructions single-stepped (~9 µs each)
  bool mmu = true;                         ///< also the memory-model group (bench_mmu.h)
  uint64_t mmuTranslations = 200'000;      ///< translations per memory-model repetition
  uint64_t mmuSweeps = 200; ///< passes over the emu --mmu guest's 4 MiB buffer (bench_mmu_emu.h)
};

/// One benchmark's figures over its repetitions.
struct BenchFigure {
  std::string name; ///< "raw_unicorn/compute", "emu/exits", "bare_kvm/io_exit", "kvm/step" …
  std::string unit; ///< "instructions/s", "exits/s", "starts/s" or "steps/s"
  int repetitions = 0;
  double medianSeconds = 0;
  double medianRate = 0;     ///< median over repetitions of (work / seconds)
  uint64_t instructions = 0; ///< guest instructions per run
  uint64_t exits = 0;        ///< I/O exits (emu) or OUT callbacks (raw) per run
  uint64_t events = 0;       ///< trace events per run (emu)
  uint64_t checksum = 0;     ///< guest result, equal on both engines
  uint64_t work = 0;         ///< units of `unit` per run (instructions, exits, starts, steps)
  std::string error;         ///< why the benchmark failed; empty when it ran
};

/// One kvm target of issue 3 ("Speed"): the backend against the bare loop.
struct KvmTarget {
  std::string name;    ///< "io_exit", "cold_start", "step"
  std::string rule;    ///< for people: "kvm time per exit ≤ 1.1× bare"
  double target = 0;   ///< the bound on `ratio`
  bool atMost = true;  ///< ratio ≤ target (time ratios); false: ratio ≥ target (rate ratios)
  double ratio = 0;    ///< kvm/bare time per unit (atMost) or kvm/bare rate
  std::string missing; ///< why it was not measured; empty when it was
  bool met() const { return missing.empty() && (atMost ? ratio <= target : ratio >= target); }
};

struct KvmBenchSection {
  bool available = false;
  std::string reason; ///< why /dev/kvm cannot be used here (when !available)
  uint64_t exitIterations = 0, coldStarts = 0, stepIterations = 0;
  std::vector<BenchFigure> figures; ///< bare and kvm, per guest, in that order
  std::vector<KvmTarget> targets;
};

struct BenchReport {
  int repetitions = 0;
  bool keepEvents = false;
  uint64_t computeIterations = 0, exitIterations = 0;
  std::vector<BenchFigure> figures; ///< raw compute, emu compute, raw exits, emu exits
  double computeRatio = 0;          ///< emu / raw instructions per second
  double exitsRatio = 0;            ///< emu / raw exits per second
  double emuExitsPerSecond = 0;
  KvmBenchSection kvm;
  MmuBenchSection mmu;
  MmuEmuSection mmuEmu; ///< the emu backend under --mmu shadow|ept against paging off
  bool ok() const;
};

inline constexpr double kComputeRatioTarget = 0.5;
inline constexpr double kExitsPerSecondTarget = 1'000'000;

/// Assembles both guests and runs the four emu benchmarks, plus the kvm ones when /dev/kvm is
/// usable and options.kvm is set. Throws InputError when nasm fails.
BenchReport runBench(const BenchOptions &options);

void addBenchCommand(CLI::App &app, BenchOptions &options);
int benchCommand(const BenchOptions &options);

} // namespace ringside::cli
