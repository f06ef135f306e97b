#pragma once
// `ringside compare GUEST [--virt native,vtx,pv]`: one guest under several techniques, one
// table: instructions, VMM transitions by kind, and an estimated cycle cost (2006 P4 figures).
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace ringside::cli {

struct CompareOptions {
  std::string guest;
  std::string entry;
  std::string load;
  std::vector<std::string> virt; ///< default: every built technique
  std::string vmxProfile;
  std::string mmu = "native"; ///< --mmu
  uint64_t maxInsns = 100'000'000;
  double timeout = 10.0;
  bool json = false;
  bool byOp = false; ///< --by-op: also a table per operation (the paper's nanobenchmarks)
};

void addCompareCommand(CLI::App &app, CompareOptions &options);
/// Exit status: 0 all runs made, 2 usage/input error.
int compareCommand(const CompareOptions &options);

} // namespace ringside::cli
