#pragma once
// `ringside bench`'s emu-backend memory group: one memory-heavy guest run on the emu backend
// with paging off, then with paging on under --mmu native, shadow and ept, in one run,
// interleaved round-robin; medians, and each paging mode's speed as a ratio of paging off.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ringside::cli {

struct MmuEmuFigure {
  std::string name; ///< "paging_off", "native", "shadow", "ept"
  double medianSeconds = 0;
  double ratio = 0; ///< paging-off median / this median (1 = as fast as paging off)
  std::map<std::string, uint64_t> counters; ///< the model's counters of the last repetition
  std::string error;
};

struct MmuEmuSection {
  bool ran = false;
  uint64_t sweeps = 0; ///< passes over the 4 MiB buffer (1024 pages) per run
  int repetitions = 0;
  std::vector<MmuEmuFigure> figures;
};

inline constexpr double kMmuEmuRatioTarget = 0.3;

/// `withNative`: also the default --mmu native (slow to start on this guest: it maps 1024
/// separate 4 KiB regions, about 3.5 s on the development VM).
MmuEmuSection runMmuEmuBench(int repetitions, uint64_t sweeps, bool withNative = true);
void printMmuEmuConsole(const MmuEmuSection &section);
nlohmann::ordered_json mmuEmuJson(const MmuEmuSection &section);

} // namespace ringside::cli
