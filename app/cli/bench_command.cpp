#include "bench_command.h"

#include <iostream>

namespace ringside::cli {

void addBenchCommand(CLI::App &app, BenchOptions &o) {
  auto *bench = app.add_subcommand("bench", "Benchmark the emu backend against raw Unicorn");
  bench->add_option("--repetitions", o.repetitions, "repetitions per benchmark (median reported)");
}

int benchCommand(const BenchOptions &) {
  std::cerr << "ringside: bench is not implemented yet\n";
  return 2;
}

} // namespace ringside::cli
