#pragma once
// The memory-virtualization modes the MMU picker offers (`--mmu`), as one table. The names are
// sim-core's (mmu/mmu_model.h, mmuModeName); the one-line explanations are the app's. (This
// header stays free of mmu_model.h: its Tlb has a member named emit, which Qt's macro breaks.)
#include <cstdint>
#include <span>

namespace ringside {
enum class MmuMode : uint8_t;
}

namespace ringside::desktop {

struct MmuModeChoice {
  MmuMode mode;
  const char *name; ///< the --mmu value: mmuModeName(mode)
  const char *help; ///< English; translated in the "MmuModes" context
};

std::span<const MmuModeChoice> mmuModeChoices();

} // namespace ringside::desktop
