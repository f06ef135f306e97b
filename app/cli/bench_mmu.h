#pragma once
// The memory-model group of `ringside bench`: translations per second of the guest walker, the
// 2-D EPT walk (4 KiB and 2 MiB EPT pages), the shadow-paging model (hits and hidden-fault
// fills) and TLB lookups, over the same 4-level guest address space. Medians over repetitions,
// interleaved round-robin so load from other processes spreads over all of them.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace ringside::cli {

struct MmuFigure {
  std::string name; ///< "mmu/native_walk", "mmu/ept_2d_walk", …
  std::string what; ///< for people
  int repetitions = 0;
  uint64_t work = 0; ///< translations per repetition
  unsigned refs = 0; ///< memory references per translation (table entries; 0: not a walk)
  double medianSeconds = 0;
  double medianRate = 0; ///< translations per second (wall clock)
  /// Translations per second of this thread's CPU time: what the rate would be on an idle
  /// machine, since other processes' load does not count.
  double medianCpuRate = 0;
  std::string error;
};

struct MmuBenchSection {
  bool ran = false;
  uint64_t translations = 0;
  std::vector<MmuFigure> figures;
  double ept2DRate = 0;    ///< mmu/ept_2d_walk's median rate (wall clock)
  double ept2DCpuRate = 0; ///< …per CPU second
};

inline constexpr double kEpt2DWalkTarget = 5'000'000;

MmuBenchSection runMmuBench(int repetitions, uint64_t translations);
void printMmuConsole(const MmuBenchSection &section);
nlohmann::ordered_json mmuJson(const MmuBenchSection &section);

} // namespace ringside::cli
