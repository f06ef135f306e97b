#include "core/mmu_modes.h"

#include "mmu/mmu_model.h"

#include <QtGlobal>
#include <array>

namespace ringside::desktop {

std::span<const MmuModeChoice> mmuModeChoices() {
  static const std::array kModes = {
      MmuModeChoice{
          MmuMode::Native, mmuModeName(MmuMode::Native),
          QT_TRANSLATE_NOOP("MmuModes", "the guest's own page tables, no VMM in the way")},
      MmuModeChoice{MmuMode::Shadow, mmuModeName(MmuMode::Shadow),
                    QT_TRANSLATE_NOOP("MmuModes", "shadow paging: the VMM keeps tables the "
                                                  "processor walks, built from the guest's")},
      MmuModeChoice{MmuMode::Ept, mmuModeName(MmuMode::Ept),
                    QT_TRANSLATE_NOOP("MmuModes", "EPT: a 2-D walk, the guest's tables under the "
                                                  "VMM's extended page tables")},
  };
  return kModes;
}

} // namespace ringside::desktop
