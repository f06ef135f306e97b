#pragma once
// EPT facts (Intel SDM vol. 3C, "VMX support for address translation": EPTP format, EPT
// paging-structure entries, misconfigurations). Sources are listed in docs/memory.md.
#include "mmu/paging_bits.h"

#include <array>
#include <cstdint>

namespace ringside::ept {

using paging::bit;
using paging::bitRange;

// EPTP (VMCS field 0x201A).
inline constexpr uint64_t kEptpMemoryType = bitRange(2, 0); ///< type for reading EPT tables
inline constexpr uint64_t kEptpWalkLength = bitRange(5, 3); ///< page-walk length minus 1
inline constexpr unsigned kEptpWalkLengthShift = 3;
inline constexpr uint64_t kEptpAccessedDirty = bit(6);
/// Bits 11:7 (7 = supervisor shadow-stack control, not modelled) and 63:M must be 0.
inline constexpr uint64_t kEptpReserved = bitRange(11, 7) | bitRange(63, paging::kMaxPhysAddr);
inline constexpr uint64_t kEptpRoot = bitRange(paging::kMaxPhysAddr - 1, 12);

// EPT paging-structure entries.
inline constexpr uint64_t kRead = bit(0);
inline constexpr uint64_t kWrite = bit(1);
inline constexpr uint64_t kExecute = bit(2);
inline constexpr uint64_t kRwx = bitRange(2, 0);
inline constexpr uint64_t kMemoryType = bitRange(5, 3); ///< leaf only
inline constexpr unsigned kMemoryTypeShift = 3;
inline constexpr uint64_t kIgnorePat = bit(6); ///< leaf only
inline constexpr uint64_t kLargePage = bit(7); ///< PDPTE: 1 GiB, PDE: 2 MiB
inline constexpr uint64_t kAccessed = bit(8);  ///< with EPTP bit 6
inline constexpr uint64_t kDirty = bit(9);     ///< leaf, with EPTP bit 6
inline constexpr uint64_t kAddrMask = bitRange(paging::kMaxPhysAddr - 1, 12);
/// Bits 51:M are reserved in every entry; 62:52 are ignored, 63 is suppress-#VE.
inline constexpr uint64_t kHighReserved = bitRange(51, paging::kMaxPhysAddr);

/// Memory types (SDM "Memory types"): 2, 3 and 7 are reserved.
enum class MemoryType : uint8_t { UC = 0, WC = 1, WT = 4, WP = 5, WB = 6 };
constexpr bool memoryTypeValid(unsigned type) { return type <= 6 && type != 2 && type != 3; }
const char *memoryTypeName(unsigned type); ///< "UC", "WB", …, "reserved"

/// One level of the 4-level EPT hierarchy, top first.
struct EptLevel {
  uint8_t level = 0; ///< 4 = PML4 … 1 = PT
  uint8_t shift = 0; ///< lowest GPA bit of this level's index
  bool canMapPage = false;
  uint64_t reservedTable = 0; ///< must-be-zero bits in an entry that references a table
  uint64_t reservedPage = 0;  ///< must-be-zero bits in an entry that maps a page
};

// Rows: {level, shift, canMapPage, reservedTable, reservedPage}. Bit 8 (A) and bits 11:9 stay
// allowed in tables: A is the accessed flag with EPTP bit 6, ignored without it.
inline constexpr std::array<EptLevel, 4> kEptLevels{{
    {4, 39, false, bitRange(7, 3) | kHighReserved, 0},
    {3, 30, true, bitRange(7, 3) | kHighReserved, bitRange(29, 12) | kHighReserved},
    {2, 21, true, bitRange(7, 3) | kHighReserved, bitRange(20, 12) | kHighReserved},
    {1, 12, true, 0, kHighReserved}, // a PTE always maps a page; bit 7 is ignored
}};

/// IA32_VMX_EPT_VPID_CAP, the parts the model uses (bit numbers in the MSR).
struct Capabilities {
  bool executeOnly = true;   ///< bit 0: bits 2:0 = 100b is a valid (execute-only) entry
  bool walkLength4 = true;   ///< bit 6
  bool uncacheable = true;   ///< bit 8: EPTP memory type UC
  bool writeBack = true;     ///< bit 14: EPTP memory type WB
  bool pages2M = true;       ///< bit 16
  bool pages1G = true;       ///< bit 17
  bool accessedDirty = true; ///< bit 21
};

} // namespace ringside::ept
