#include "bench_command.h"

#include "bench_grade.h"
#include "bench_guests.h"
#include "bench_kvm.h"
#include "errors.h"
#include "kvm_host.h"

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <iterator>
#include <map>

namespace ringside::cli {
namespace {

enum class Engine { Raw, Emu };

// The four benchmarks, in report order.
struct BenchSpec {
  const char *name;
  Engine engine;
  BenchGuest guest;
  const char *unit;
};

constexpr BenchSpec kSpecs[] = {
    {"raw_unicorn/compute", Engine::Raw, BenchGuest::Compute, "instructions/s"},
    {"emu/compute", Engine::Emu, BenchGuest::Compute, "instructions/s"},
    {"raw_unicorn/exits", Engine::Raw, BenchGuest::Exits, "exits/s"},
    {"emu/exits", Engine::Emu, BenchGuest::Exits, "exits/s"},
};

// Why a run does not count: it must retire exactly the program's instructions and, for the
// exits guest, take exactly one I/O exit (or OUT callback) per iteration.
std::string checkRun(const BenchProgram &p, const BenchRun &r) {
  if (!r.error.empty())
    return r.error;
  if (r.instructions != p.instructions)
    return "executed " + std::to_string(r.instructions) + " instructions, expected " +
           std::to_string(p.instructions);
  if (r.exits != p.ioExits)
    return "counted " + std::to_string(r.exits) + " I/O exits, expected " +
           std::to_string(p.ioExits);
  return "";
}

void runOne(benchmark::State &state, const BenchSpec &spec, const BenchProgram &program,
            bool keepEvents) {
  for (auto _ : state) {
    BenchRun run;
    try {
      run = spec.engine == Engine::Raw ? runOnRawUnicorn(program) : runOnEmu(program, keepEvents);
    } catch (const std::exception &e) {
      run.error = e.what();
    }
    if (std::string why = checkRun(program, run); !why.empty()) {
      state.SkipWithError(why.c_str());
      break;
    }
    state.SetIterationTime(run.seconds);
    state.counters["instructions"] = static_cast<double>(run.instructions);
    state.counters["exits"] = static_cast<double>(run.exits);
    state.counters["events"] = static_cast<double>(run.events);
    state.counters["work"] =
        static_cast<double>(spec.guest == BenchGuest::Compute ? run.instructions : run.exits);
    // Split in halves: a double holds 53 bits exactly, the checksum has 64.
    state.counters["checksum_lo"] = static_cast<double>(run.checksum & 0xFFFFFFFF);
    state.counters["checksum_hi"] = static_cast<double>(run.checksum >> 32);
  }
}

// The kvm targets (issue 3, "Speed"); each has a bare_kvm/<name> and a kvm/<name> benchmark.
struct KvmTargetSpec {
  KvmBench kind;
  const char *name;
  const char *unit; ///< of the rates
  const char *per;  ///< one unit of work, for "µs per …"
  const char *rule;
  double target;
  bool atMost;
};

constexpr KvmTargetSpec kKvmTargets[] = {
    {KvmBench::IoExit, "io_exit", "exits/s", "exit", "kvm time per I/O exit ≤ 1.1× bare", 1.1,
     true},
    {KvmBench::ColdStart, "cold_start", "starts/s", "start", "kvm cold start ≤ 1.2× bare", 1.2,
     true},
    {KvmBench::Step, "step", "steps/s", "step",
     "kvm single-step rate ≥ 0.8× bare SYNC_REGS stepping", 0.8, false},
};

void runOneKvm(benchmark::State &state, bool bare, const KvmBenchProgram &program,
               bool keepEvents) {
  for (auto _ : state) {
    KvmBenchRun run = bare ? runBareKvm(program) : runKvmBackend(program, keepEvents);
    if (run.error.empty() && run.work != program.work)
      run.error =
          "counted " + std::to_string(run.work) + ", expected " + std::to_string(program.work);
    if (!run.error.empty()) {
      state.SkipWithError(run.error.c_str());
      break;
    }
    state.SetIterationTime(run.seconds);
    state.counters["work"] = static_cast<double>(run.work);
    state.counters["events"] = static_cast<double>(run.events);
    state.counters["checksum_lo"] = static_cast<double>(run.checksum & 0xFFFFFFFF);
    state.counters["checksum_hi"] = static_cast<double>(run.checksum >> 32);
  }
}

// Keeps every repetition's run; prints nothing (the command formats its own table).
class Collector : public benchmark::BenchmarkReporter {
public:
  bool ReportContext(const Context &) override { return true; }
  void ReportRuns(const std::vector<Run> &runs) override {
    for (const Run &r : runs)
      if (r.run_type == Run::RT_Iteration)
        runs_[r.run_name.function_name].push_back(r);
  }
  std::map<std::string, std::vector<Run>> runs_;
};

double median(std::vector<double> v) {
  if (v.empty())
    return 0;
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double counter(const benchmark::BenchmarkReporter::Run &r, const char *name) {
  auto it = r.counters.find(name);
  return it == r.counters.end() ? 0.0 : it->second.value;
}

BenchFigure figureOf(const std::string &name, const std::string &unit,
                     const std::vector<benchmark::BenchmarkReporter::Run> &runs) {
  BenchFigure f;
  f.name = name;
  f.unit = unit;
  std::vector<double> seconds, rates;
  for (const auto &r : runs) {
    if (r.error_occurred) {
      f.error = r.error_message;
      continue;
    }
    double s = r.real_accumulated_time / static_cast<double>(std::max<int64_t>(r.iterations, 1));
    f.instructions = static_cast<uint64_t>(counter(r, "instructions"));
    f.exits = static_cast<uint64_t>(counter(r, "exits"));
    f.events = static_cast<uint64_t>(counter(r, "events"));
    f.checksum = static_cast<uint64_t>(counter(r, "checksum_lo")) |
                 static_cast<uint64_t>(counter(r, "checksum_hi")) << 32;
    f.work = static_cast<uint64_t>(counter(r, "work"));
    seconds.push_back(s);
    rates.push_back(s > 0 ? double(f.work) / s : 0);
  }
  if (runs.empty())
    f.error = "did not run";
  f.repetitions = static_cast<int>(seconds.size());
  f.medianSeconds = median(seconds);
  f.medianRate = median(rates);
  return f;
}

double ratio(double num, double den) { return den > 0 ? num / den : 0; }

// "1.92 G instructions/s", "616 k exits/s": three significant digits with an SI prefix.
std::string si(double v, const std::string &unit) {
  static constexpr struct {
    double scale;
    const char *prefix;
  } kPrefixes[] = {{1e9, "G "}, {1e6, "M "}, {1e3, "k "}, {1, ""}};
  for (const auto &p : kPrefixes) {
    if (v < p.scale && p.scale > 1)
      continue;
    double x = v / p.scale;
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.*f %s", x >= 100 ? 0 : x >= 10 ? 1 : 2, x, p.prefix);
    return buf + unit;
  }
  return unit;
}

std::string fixed(double v, int digits) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

void printKvmConsole(const KvmBenchSection &k) {
  if (!k.available) {
    std::cout << "\nkvm: " << k.reason << "\n";
    return;
  }
  std::cout << "\nkvm backend against bare KVM_RUN loops (same run; real-mode guests at 0x8000, "
               "2 MiB; kvm trace streamed to a counting listener)\n";
  std::cout << "io_exit:    " << k.exitIterations << " × `out 0x80, al` in a 3-instruction loop\n";
  std::cout << "cold_start: " << k.coldStarts
            << " × (create VM, RAM, vCPU; load `hlt`; run to HLT; destroy)\n";
  std::cout << "step:       " << k.stepIterations
            << " iterations of a 3-instruction loop, single-stepped, registers captured each "
               "step (SYNC_REGS)\n\n";
  std::printf("%-22s %14s %16s %24s\n", "benchmark", "median time", "per unit", "median rate");
  for (const BenchFigure &f : k.figures) {
    if (!f.error.empty()) {
      std::printf("%-22s failed: %s\n", f.name.c_str(), f.error.c_str());
      continue;
    }
    double perUnit = f.work ? f.medianSeconds / double(f.work) : 0;
    std::printf("%-22s %11s ms %13s µs %24s\n", f.name.c_str(),
                fixed(f.medianSeconds * 1e3, 2).c_str(), fixed(perUnit * 1e6, 2).c_str(),
                si(f.medianRate, f.unit).c_str());
  }
  std::cout << "\n";
  for (const KvmTarget &t : k.targets) {
    std::cout << "target " << t.name << " (" << t.rule << "): ";
    if (!t.missing.empty())
      std::cout << "not measured — " << t.missing << "\n";
    else
      std::cout << fixed(t.ratio, 3) << "× — " << (t.met() ? "met" : "below target") << "\n";
  }
}

void printConsole(const BenchReport &r) {
  std::cout << "ringside bench: emu backend against raw Unicorn "
            << "(median of " << r.repetitions << " repetitions; emu trace "
            << (r.keepEvents ? "kept in memory and sent" : "streamed")
            << " to a counting listener)\n";
  std::cout << "compute guest: " << r.computeIterations
            << " iterations of a 20-instruction register loop\n";
  std::cout << "exits guest:   " << r.exitIterations
            << " iterations of 9 instructions + `out 0x80, al`\n\n";
  std::printf("%-22s %14s %24s\n", "benchmark", "median time", "median rate");
  for (const BenchFigure &f : r.figures) {
    if (!f.error.empty()) {
      std::printf("%-22s failed: %s\n", f.name.c_str(), f.error.c_str());
      continue;
    }
    std::printf("%-22s %11s ms %24s\n", f.name.c_str(), fixed(f.medianSeconds * 1e3, 2).c_str(),
                si(f.medianRate, f.unit).c_str());
  }
  bool computeMet = r.computeRatio >= kComputeRatioTarget;
  bool exitsMet = r.emuExitsPerSecond >= kExitsPerSecondTarget;
  std::cout << "\nemu/raw compute: " << fixed(r.computeRatio, 3) << "×\n";
  std::cout << "emu/raw exits:   " << fixed(r.exitsRatio, 4) << "×\n\n";
  std::cout << "target compute (emu with tracing ≥ 0.5× raw with a block hook): "
            << fixed(r.computeRatio, 3) << "× — " << (computeMet ? "met" : "below target") << "\n";
  std::cout << "target exits (emu ≥ 1,000,000 exits/s): " << fixed(r.emuExitsPerSecond, 0)
            << " exits/s — " << (exitsMet ? "met" : "below target") << "\n";
  printKvmConsole(r.kvm);
  printMmuConsole(r.mmu);
  printMmuEmuConsole(r.mmuEmu);
}

nlohmann::ordered_json figureJson(const BenchFigure &f) {
  nlohmann::ordered_json b;
  b["name"] = f.name;
  b["repetitions"] = f.repetitions;
  b["median_seconds"] = f.medianSeconds;
  b["median_rate"] = f.medianRate;
  b["unit"] = f.unit;
  b["work"] = f.work;
  b["instructions"] = f.instructions;
  b["exits"] = f.exits;
  b["events"] = f.events;
  if (!f.error.empty())
    b["error"] = f.error;
  return b;
}

nlohmann::ordered_json kvmJson(const KvmBenchSection &k) {
  nlohmann::ordered_json j;
  j["available"] = k.available;
  if (!k.available) {
    j["reason"] = k.reason;
    return j;
  }
  j["exit_iterations"] = k.exitIterations;
  j["cold_starts"] = k.coldStarts;
  j["step_iterations"] = k.stepIterations;
  j["benchmarks"] = nlohmann::ordered_json::array();
  for (const BenchFigure &f : k.figures)
    j["benchmarks"].push_back(figureJson(f));
  j["targets"] = nlohmann::ordered_json::object();
  for (const KvmTarget &t : k.targets) {
    nlohmann::ordered_json v;
    v["rule"] = t.rule;
    v["target"] = t.target;
    v["at_most"] = t.atMost;
    if (t.missing.empty())
      v["value"] = t.ratio;
    else
      v["missing"] = t.missing;
    v["met"] = t.met();
    j["targets"][t.name] = v;
  }
  return j;
}

void printJson(const BenchReport &r) {
  nlohmann::ordered_json j;
  j["repetitions"] = r.repetitions;
  j["keep_events"] = r.keepEvents;
  j["compute_iterations"] = r.computeIterations;
  j["exit_iterations"] = r.exitIterations;
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const BenchFigure &f : r.figures)
    list.push_back(figureJson(f));
  j["benchmarks"] = list;
  j["ratios"] = {{"compute", r.computeRatio}, {"exits", r.exitsRatio}};
  j["targets"] = {{"compute_ratio",
                   {{"target", kComputeRatioTarget},
                    {"value", r.computeRatio},
                    {"met", r.computeRatio >= kComputeRatioTarget}}},
                  {"emu_exits_per_second",
                   {{"target", kExitsPerSecondTarget},
                    {"value", r.emuExitsPerSecond},
                    {"met", r.emuExitsPerSecond >= kExitsPerSecondTarget}}}};
  j["kvm"] = kvmJson(r.kvm);
  j["mmu"] = mmuJson(r.mmu);
  j["mmu_emu"] = mmuEmuJson(r.mmuEmu);
  std::cout << j.dump() << "\n";
}

std::string kvmName(bool bare, const KvmTargetSpec &t) {
  return std::string(bare ? "bare_kvm/" : "kvm/") + t.name;
}

// Registers the kvm benchmarks next to the emu ones, so the random interleaving spreads load
// from other processes over all of them.
void registerKvm(const BenchOptions &o, std::map<KvmBench, KvmBenchProgram> &programs) {
  programs[KvmBench::IoExit] = makeKvmBenchProgram(KvmBench::IoExit, o.kvmExitIterations);
  programs[KvmBench::ColdStart] = makeKvmBenchProgram(KvmBench::ColdStart, o.kvmColdStarts);
  programs[KvmBench::Step] = makeKvmBenchProgram(KvmBench::Step, o.kvmStepIterations);
  for (const KvmTargetSpec &t : kKvmTargets)
    for (bool bare : {true, false}) {
      const KvmBenchProgram &program = programs.at(t.kind);
      bool keep = o.keepEvents;
      benchmark::RegisterBenchmark(kvmName(bare, t).c_str(),
                                   [bare, &program, keep](benchmark::State &state) {
                                     runOneKvm(state, bare, program, keep);
                                   })
          ->Iterations(1)
          ->Repetitions(o.repetitions)
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
}

KvmBenchSection kvmSection(const BenchOptions &o, const kvm::HostProbe &probe,
                           std::map<std::string, std::vector<Collector::Run>> &runs) {
  KvmBenchSection k;
  k.available = o.kvm && probe.usable();
  k.reason = o.kvm ? "not available here: " + probe.reason : "skipped (--no-kvm)";
  k.exitIterations = o.kvmExitIterations;
  k.coldStarts = o.kvmColdStarts;
  k.stepIterations = o.kvmStepIterations;
  if (!k.available)
    return k;
  for (const KvmTargetSpec &t : kKvmTargets) {
    KvmTarget target{t.name, t.rule, t.target, t.atMost, 0, ""};
    BenchFigure bare = figureOf(kvmName(true, t), t.unit, runs[kvmName(true, t)]);
    k.figures.push_back(bare);
    BenchFigure backend = figureOf(kvmName(false, t), t.unit, runs[kvmName(false, t)]);
    // The same guest must end at the same place on both.
    if (bare.error.empty() && backend.error.empty() && bare.checksum != backend.checksum)
      backend.error = "guest checksum differs from the bare loop's";
    k.figures.push_back(backend);
    if (!bare.error.empty() || !backend.error.empty())
      target.missing = "a benchmark failed";
    // Time targets compare time per unit of work, that is the inverse rate ratio.
    target.ratio = t.atMost ? ratio(bare.medianRate, backend.medianRate)
                            : ratio(backend.medianRate, bare.medianRate);
    k.targets.push_back(target);
  }
  return k;
}

} // namespace

bool BenchReport::ok() const {
  auto ran = [](const BenchFigure &f) { return f.error.empty(); };
  auto mmuRan = [](const MmuFigure &f) { return f.error.empty(); };
  return std::all_of(figures.begin(), figures.end(), ran) &&
         std::all_of(kvm.figures.begin(), kvm.figures.end(), ran) &&
         std::all_of(mmu.figures.begin(), mmu.figures.end(), mmuRan) &&
         std::all_of(mmuEmu.figures.begin(), mmuEmu.figures.end(),
                     [](const MmuEmuFigure &f) { return f.error.empty() || f.error == "skipped"; });
}

BenchReport runBench(const BenchOptions &o) {
  std::map<BenchGuest, BenchProgram> programs;
  programs[BenchGuest::Compute] = makeBenchProgram(BenchGuest::Compute, o.computeIterations);
  programs[BenchGuest::Exits] = makeBenchProgram(BenchGuest::Exits, o.exitIterations);

  // Google Benchmark reads its flags from argv: ours stay ours. Interleaving the repetitions
  // of all four in random order spreads load from other processes over raw and emu alike.
  char name[] = "ringside";
  char interleave[] = "--benchmark_enable_random_interleaving=true";
  char *argv[] = {name, interleave, nullptr};
  int argc = 2;
  benchmark::Initialize(&argc, argv);
  benchmark::ClearRegisteredBenchmarks();
  kvm::HostProbe probe;
  std::map<KvmBench, KvmBenchProgram> kvmPrograms;
  if (o.kvm) {
    probe = kvm::probeHost();
    if (probe.usable())
      registerKvm(o, kvmPrograms);
  }
  for (const BenchSpec &spec : kSpecs) {
    const BenchProgram &program = programs.at(spec.guest);
    bool keep = o.keepEvents;
    // One iteration is one whole guest run; set-up is outside the manually timed part.
    benchmark::RegisterBenchmark(
        spec.name,
        [&spec, &program, keep](benchmark::State &state) { runOne(state, spec, program, keep); })
        ->Iterations(1)
        ->Repetitions(o.repetitions)
        ->UseManualTime()
        ->Unit(benchmark::kMillisecond);
  }
  Collector collector;
  benchmark::RunSpecifiedBenchmarks(&collector);
  benchmark::ClearRegisteredBenchmarks();

  BenchReport r;
  r.repetitions = o.repetitions;
  r.keepEvents = o.keepEvents;
  r.computeIterations = o.computeIterations;
  r.exitIterations = o.exitIterations;
  for (const BenchSpec &spec : kSpecs)
    r.figures.push_back(figureOf(spec.name, spec.unit, collector.runs_[spec.name]));
  // Same code, same result: a checksum mismatch means the engines did different work.
  for (size_t i = 0; i < std::size(kSpecs); ++i)
    for (size_t j = 0; j < std::size(kSpecs); ++j) {
      BenchFigure &raw = r.figures[i], &emu = r.figures[j];
      if (kSpecs[i].engine == Engine::Raw && kSpecs[j].engine == Engine::Emu &&
          kSpecs[i].guest == kSpecs[j].guest && raw.error.empty() && emu.error.empty() &&
          raw.checksum != emu.checksum)
        emu.error = "guest checksum differs from raw Unicorn's";
    }
  r.computeRatio = ratio(r.figures[1].medianRate, r.figures[0].medianRate);
  r.exitsRatio = ratio(r.figures[3].medianRate, r.figures[2].medianRate);
  r.emuExitsPerSecond = r.figures[3].medianRate;
  r.kvm = kvmSection(o, probe, collector.runs_);
  if (o.mmu) {
    r.mmu = runMmuBench(o.repetitions, o.mmuTranslations);
    if (o.mmuSweeps) // 0: skipped (tests)
      r.mmuEmu = runMmuEmuBench(o.repetitions, o.mmuSweeps);
  }
  return r;
}

void addBenchCommand(CLI::App &app, BenchOptions &o) {
  auto *bench = app.add_subcommand(
      "bench", "Benchmark the emu backend against raw Unicorn, kvm against bare KVM_RUN");
  bench->add_option("--group", o.group, "engine (default) or grade (grading throughput)")
      ->check(CLI::IsMember({"engine", "grade"}));
  bench->add_option("--grade-submissions", o.gradeSubmissions, "--group grade: class size")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000}));
  bench->add_option("--jobs", o.jobs, "--group grade: processes (default: one per core)")
      ->check(CLI::Range(1u, 256u));
  bench->add_option("--repetitions", o.repetitions, "repetitions per benchmark (median reported)")
      ->check(CLI::Range(1, 1000));
  bench->add_option("--format", o.format, "console or json")
      ->check(CLI::IsMember({"console", "json"}));
  bench->add_flag("--keep-events", o.keepEvents,
                  "keep emu trace events in memory too (default: stream them, as `run` does)");
  bench
      ->add_option("--compute-iterations", o.computeIterations,
                   "loop iterations of the compute guest (20 instructions each)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{0xFFFFFFFF}));
  bench
      ->add_option("--exit-iterations", o.exitIterations,
                   "loop iterations of the exits guest (one I/O exit each)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{0xFFFFFFFF}));
  bench->add_flag("!--no-kvm", o.kvm, "skip the kvm benchmarks");
  bench->add_option("--kvm-exit-iterations", o.kvmExitIterations, "I/O exits per kvm io_exit run")
      ->check(CLI::Range(uint64_t{1}, uint64_t{0xFFFFFFFF}));
  bench->add_option("--kvm-cold-starts", o.kvmColdStarts, "VMs per kvm cold_start run")
      ->check(CLI::Range(uint64_t{1}, uint64_t{100'000}));
  bench
      ->add_option("--kvm-step-iterations", o.kvmStepIterations,
                   "loop iterations single-stepped per kvm step run (3 instructions each)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{0x55555554}));
  bench->add_flag("!--no-mmu", o.mmu, "skip the memory-model benchmarks");
  bench
      ->add_option("--mmu-translations", o.mmuTranslations,
                   "translations per memory-model repetition")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000'000}));
  bench
      ->add_option("--mmu-sweeps", o.mmuSweeps,
                   "passes over the 4 MiB buffer of the emu --mmu guest (1024 pages each)")
      ->check(CLI::Range(uint64_t{1}, uint64_t{1'000'000}));
}

int benchCommand(const BenchOptions &o) {
  if (o.group == "grade")
    return gradeBenchCommand({o.gradeSubmissions, o.repetitions, o.jobs, o.format, ""});
  BenchReport report;
  try {
    report = runBench(o);
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }
  if (o.format == "json")
    printJson(report);
  else
    printConsole(report);
  // Targets are reported, not asserted; only a benchmark that could not run fails.
  return report.ok() ? 0 : 1;
}

} // namespace ringside::cli
