#pragma once
// x86 paging facts the walker needs: control-register bits, paging-structure entry bits and,
// per paging mode, the format of each level (Intel SDM vol. 3, ch. 4, tables 4-4 … 4-20).
#include "trace/events.h"

#include <array>
#include <cstdint>

namespace ringside::paging {

constexpr uint64_t bit(unsigned n) { return uint64_t{1} << n; }
/// Bits hi..lo inclusive.
constexpr uint64_t bitRange(unsigned hi, unsigned lo) {
  return (~uint64_t{0} >> (63 - hi)) & (~uint64_t{0} << lo);
}

/// MAXPHYADDR of the simulated CPU: physical-address bits above it are reserved in entries.
inline constexpr unsigned kMaxPhysAddr = 40;

// Control-register bits that select and configure paging.
inline constexpr uint64_t kCr0Wp = bit(16);
inline constexpr uint64_t kCr0Pg = bit(31);
inline constexpr uint64_t kCr4Pse = bit(4);
inline constexpr uint64_t kCr4Pae = bit(5);
inline constexpr uint64_t kEferLma = bit(10);
inline constexpr uint64_t kEferNxe = bit(11);

// Paging-structure entry bits shared by all formats.
inline constexpr uint64_t kPresent = bit(0);
inline constexpr uint64_t kWritable = bit(1);
inline constexpr uint64_t kUser = bit(2);
inline constexpr uint64_t kAccessed = bit(5);
inline constexpr uint64_t kDirty = bit(6);
inline constexpr uint64_t kPageSize = bit(7);
inline constexpr uint64_t kExecuteDisable = bit(63);

/// Physical-address bits an entry may hold (M-1:12); bits above are reserved in 64-bit formats.
inline constexpr uint64_t kPhysAddrMask = bitRange(kMaxPhysAddr - 1, 12);
/// 4-level entries: bits 51:M are reserved (62:52 are ignored).
inline constexpr uint64_t kLongReserved = bitRange(51, kMaxPhysAddr);
/// PAE PDE/PTE: bits 62:M are reserved (63 is XD).
inline constexpr uint64_t kPaeReserved = bitRange(62, kMaxPhysAddr);

/// One level of a paging structure hierarchy.
struct LevelFormat {
  uint8_t level = 0;         ///< SDM numbering: 4 = PML4 … 1 = PT
  uint8_t shift = 0;         ///< lowest linear-address bit of this level's index
  uint8_t indexBits = 0;     ///< width of the index (table has 2^indexBits entries)
  bool hasFlags = true;      ///< has R/W, U/S and A (PAE PDPTEs have none of them)
  bool canMapPage = false;   ///< PS=1 maps a page of 2^shift bytes here
  bool pageNeedsPse = false; ///< …only when CR4.PSE=1 (32-bit PDE)
  uint64_t reserved = 0;     ///< must-be-zero bits in any present entry
  uint64_t reservedPage = 0; ///< further must-be-zero bits when the entry maps a page
};

/// The layout of one paging mode.
struct ModeFormat {
  WalkMode mode = WalkMode::Bits32;
  uint8_t entryBytes = 8;
  uint64_t rootMask = 0; ///< CR3 bits holding the top table's address
  uint64_t addrMask = 0; ///< entry bits holding the next table or the 4 KiB frame
  bool hasXd = false;    ///< bit 63 is XD with EFER.NXE=1 and reserved without it
  bool pse36 = false;    ///< large pages carry PA bits 39:32 in entry bits 20:13
  uint8_t levelCount = 0;
  std::array<LevelFormat, 4> levels{}; ///< top level first
};

// Level rows, in LevelFormat order:
//   {level, shift, indexBits, hasFlags, canMapPage, pageNeedsPse, reserved, reservedPage}
inline constexpr ModeFormat kBits32Format{
    .mode = WalkMode::Bits32,
    .entryBytes = 4,
    .rootMask = bitRange(31, 12),
    .addrMask = bitRange(31, 12),
    .hasXd = false,
    .pse36 = true,
    .levelCount = 2,
    .levels = {{
        // PDE: PS maps a 4 MiB page with CR4.PSE; with PSE-36 and M=40 bit 21 is reserved.
        {2, 22, 10, true, true, true, 0, bit(21)},
        {1, 12, 10, true, false, false, 0, 0},
    }}};

inline constexpr ModeFormat kPaeFormat{
    .mode = WalkMode::Pae,
    .entryBytes = 8,
    .rootMask = bitRange(31, 5),
    .addrMask = kPhysAddrMask,
    .hasXd = true,
    .pse36 = false,
    .levelCount = 3,
    .levels = {{
        // PDPTE: only P, PWT, PCD and the address; 2:1, 8:5 and 63:M are reserved.
        {3, 30, 2, false, false, false,
         bitRange(2, 1) | bitRange(8, 5) | bitRange(63, kMaxPhysAddr), 0},
        {2, 21, 9, true, true, false, kPaeReserved, bitRange(20, 13)},
        {1, 12, 9, true, false, false, kPaeReserved, 0},
    }}};

inline constexpr ModeFormat kLong4Format{
    .mode = WalkMode::Long4,
    .entryBytes = 8,
    .rootMask = bitRange(51, 12),
    .addrMask = kPhysAddrMask,
    .hasXd = true,
    .pse36 = false,
    .levelCount = 4,
    .levels = {{
        {4, 39, 9, true, false, false, kLongReserved | kPageSize, 0}, // PS in a PML4E is reserved
        {3, 30, 9, true, true, false, kLongReserved, bitRange(29, 13)},
        {2, 21, 9, true, true, false, kLongReserved, bitRange(20, 13)},
        {1, 12, 9, true, false, false, kLongReserved, 0},
    }}};

} // namespace ringside::paging
