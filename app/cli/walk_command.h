#pragma once
// `ringside walk GUEST --gva ADDR [--at SEQ] [--mmu native|shadow|ept] [--backend emu|kvm]`: runs
// the guest (on the emu backend by default), takes its paging state and RAM at the end of the run
// (or at event SEQ) and prints one translation of ADDR step by step, through the guest's own
// tables, the modelled shadow tables, or a 2-D walk under a modelled identity EPT.
#include <CLI/CLI.hpp>

#include <cstdint>
#include <optional>
#include <string>

namespace ringside::cli {

struct WalkOptions {
  std::string guest;
  std::string gva;
  std::string mmu = "native";
  std::string backend = "emu"; ///< kvm: the guest's real tables after a KVM run (no --at)
  std::string entry;
  std::string load;
  uint64_t memMiB = 16;
  uint64_t maxInsns = 100'000'000;
  double timeout = 10.0;
  std::optional<uint64_t> at; ///< trace position (seq); the end of the run when absent
  bool write = false, fetch = false, user = false;
  bool ept2M = false; ///< --ept-2m: the modelled EPT uses 2 MiB pages
  bool json = false;
};

void addWalkCommand(CLI::App &app, WalkOptions &options);
int walkCommand(const WalkOptions &options);

} // namespace ringside::cli
