#pragma once
// `ringside snapshot save|restore|info`: whole-machine snapshots (docs/snapshots.md).
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace ringside::cli {

struct SnapshotOptions {
  // save
  std::string guest;
  std::string backend = "emu";
  std::string entry, load;
  uint64_t memMiB = 16;
  uint64_t atInsn = 0;
  std::string output;
  std::string parent; ///< --parent: write a copy-on-write delta against this snapshot
  std::string virt = "vtx";
  // restore / info
  std::string file;
  uint64_t maxInsns = 100'000'000;
  double timeout = 10.0;
  std::string traceFile;
  bool json = false;
};

void addSnapshotCommand(CLI::App &app, SnapshotOptions &options);
/// Exit status: 0 done (restore: the guest stopped by HLT or exit code 0); 1 the guest failed;
/// 2 usage or input error (a bad snapshot file included).
int snapshotCommand(CLI::App &app, const SnapshotOptions &options);

} // namespace ringside::cli
