#pragma once
// `ringside run GUEST …`: runs a guest headless and reports what happened.
#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

namespace ringside::cli {

struct RunOptions {
  std::string guest;
  std::string backend = "emu";
  std::string entry;
  std::string load;
  uint64_t memMiB = 16;
  uint64_t maxInsns = 100'000'000;
  double timeout = 10.0;
  std::string traceFile;
  bool json = false;
  bool step = false;               ///< --step (kvm: single-step every instruction)
  bool kernelTrace = false;        ///< --kernel-trace (kvm: record host tracepoints too)
  std::string vmxProfile;          ///< --vmx-profile
  std::vector<std::string> vmxSet; ///< --vmx-set, repeatable
  std::string virt = "vtx";        ///< --virt
  std::string mmu = "native";      ///< --mmu
};

void addRunCommand(CLI::App &app, RunOptions &options);
/// Exit status: 0 guest stopped by HLT or exit code 0; 1 guest failed; 2 usage/input error.
int runCommand(const RunOptions &options);

} // namespace ringside::cli
