#pragma once
// `ringside container [--workload demo|hello] [--compare-vm] [--trace FILE] …`: runs a small
// workload in a real container (Linux namespaces, cgroup limits, ptrace'd system calls), shows
// what it sees against what the host sees and the limits biting, and with --compare-vm runs the
// same workload as a guest on the emu backend beside it. See docs/containers.md.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <string>

namespace ringside::cli {

struct ContainerCommandOptions {
  std::string workload = "demo";
  std::string hostname = "ringside-box";
  bool noUserNs = false, noLimits = false, noPtrace = false;
  uint64_t pidsMax = 8, memoryMiB = 32;
  std::string cpuMax = "20000 100000";
  std::string trace; ///< JSON Lines: the container's events (then the VM's, with --compare-vm)
  bool compareVm = false;
  bool pod = false;
  bool json = false;
  double timeout = 20;
};

void addContainerCommand(CLI::App &app, ContainerCommandOptions &options);
/// 0 ran; 3 the host allows no container here (the reason is printed); 2 bad arguments;
/// 130 stopped by SIGINT/SIGTERM (after the clean-up).
int containerCommand(const ContainerCommandOptions &options);

} // namespace ringside::cli
