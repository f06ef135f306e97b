#pragma once
// `ringside migrate GUEST`: pre-copy live migration between two backends in this process
// (docs/snapshots.md, "Live migration").
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ringside::cli {

struct MigrateOptions {
  std::string guest;
  std::string backend = "emu";
  std::string entry, load;
  uint64_t memMiB = 16;
  double bandwidth = 256;
  int maxRounds = 10;
  uint64_t stopPages = 32;
  double guestMips = 0;         ///< 0: the backend's default (emu 50, kvm 0.5: kvm steps each one)
  uint64_t warmup = 0;          ///< 0: the backend's default (emu 100000, kvm 2000)
  uint64_t after = 10'000;      ///< instructions the target runs after the switch-over
  std::vector<std::string> set; ///< --set ADDR=VALUE: a dword patched into the image
  bool json = false;
};

void addMigrateCommand(CLI::App &app, MigrateOptions &options);
/// Exit status: 0 migrated with equal state; 1 the target's state differs; 2 input error.
int migrateCommand(const MigrateOptions &options);

} // namespace ringside::cli
