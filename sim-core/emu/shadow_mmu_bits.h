#pragma once
// The page and entry bits the shadow MMU's files share (shadow_mmu*.cpp): the x86 facts of
// mmu/paging_bits.h under the names those files use for their shadow entries.
#include "mmu/paging_bits.h"

#include <cstdint>

namespace ringside::emu::shadow_bits {

inline constexpr uint64_t kPage = 4096;
inline constexpr uint64_t kPteP = paging::kPresent, kPteRw = paging::kWritable,
                          kPteUs = paging::kUser, kPteA = paging::kAccessed, kPteD = paging::kDirty,
                          kPteNx = paging::kExecuteDisable;
inline constexpr uint64_t kCr0Wp = paging::kCr0Wp, kCr0Pg = paging::kCr0Pg,
                          kEferNxe = paging::kEferNxe;
// Frames in shadow entries are kept below the CPU model's physical-address width; Unicorn
// 2.0.1 uses the virtual address anyway.
inline constexpr uint64_t kFrameMask = paging::kPhysAddrMask;

constexpr uint64_t pageOf(uint64_t a) { return a & ~(kPage - 1); }

} // namespace ringside::emu::shadow_bits
