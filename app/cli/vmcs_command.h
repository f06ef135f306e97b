#pragma once
// `ringside vmcs GUEST [--at SEQ] [--region GPA]`: the modelled VMCS at a point of the guest's
// trace, by group, with encodings: Ringside's own for the guest, or one a guest-written
// hypervisor keeps in its RAM.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringside::cli {

struct VmcsOptions {
  std::string guest;
  std::string entry;
  std::string load;
  uint64_t memMiB = 16;
  uint64_t maxInsns = 100'000'000;
  double timeout = 10.0;
  std::string vmxProfile;
  std::vector<std::string> vmxSet;
  std::optional<uint64_t> at;     ///< trace position (seq); the end of the run when absent
  std::optional<uint64_t> region; ///< a guest hypervisor's VMCS region (guest-physical)
  bool all = false;               ///< also fields that are zero
  bool json = false;
};

void addVmcsCommand(CLI::App &app, VmcsOptions &options);
int vmcsCommand(const VmcsOptions &options);

} // namespace ringside::cli
