#pragma once
// `ringside diff GUEST …`: runs a guest on two backends and prints what differs.
#include <CLI/CLI.hpp>

#include <string>

namespace ringside::cli {

struct DiffOptions {
  std::string guest;
  std::string backends = "emu,kvm";
  std::string entry;
  std::string load;
  uint64_t memMiB = 16;
  double timeout = 10.0;
  bool json = false;
};

void addDiffCommand(CLI::App &app, DiffOptions &options);
/// Exit status: 0 the runs agree; 1 they differ; 2 usage/input error, including a backend (or a
/// guest marked `; diff: skip-on=…`) that cannot run on this host.
int diffCommand(const DiffOptions &options);

} // namespace ringside::cli
