#pragma once
// `ringside bench`: speed of the emu backend against raw Unicorn, measured in the same run.
#include <CLI/CLI.hpp>

#include <string>

namespace ringside::cli {

struct BenchOptions {
  int repetitions = 5;
  std::string format = "console";
};

void addBenchCommand(CLI::App &app, BenchOptions &options);
int benchCommand(const BenchOptions &options);

} // namespace ringside::cli
