#pragma once
// The guest-physical memory layout of the Ringside platform (docs/platform.md).
#include <cstddef>
#include <cstdint>

namespace ringside::layout {

inline constexpr uint64_t kDefaultRamMiB = 16;
/// Reserved range where the platform builds its own GDT and page tables for the
/// protected and long entry modes. Guest images must not load here.
inline constexpr uint64_t kPlatformBase = 0x1000;
inline constexpr uint64_t kPlatformEnd = 0x7000;
inline constexpr uint64_t kPlatformGdt = 0x1000;  ///< 0x1000..0x10FF: GDT
inline constexpr uint64_t kPlatformPml4 = 0x2000; ///< 0x2000: PML4, 0x3000: PDPT, 0x4000.. PDs
inline constexpr uint64_t kPlatformPdpt = 0x3000;
inline constexpr uint64_t kPlatformPd = 0x4000; ///< 0x4000..0x4FFF: one PD, 512 × 2 MiB = 1 GiB
inline constexpr uint64_t kPlatformStackTop = 0x7000; ///< initial stack pointer (protected/long)

inline constexpr uint64_t kVgaBase = 0xB8000;
inline constexpr uint64_t kVgaSize = 0x8000; ///< 0xB8000..0xBFFFF, the colour text window
inline constexpr std::size_t kVgaColumns = 80;
inline constexpr std::size_t kVgaRows = 25;

// Platform GDT selectors used by the protected and long entry modes.
inline constexpr uint16_t kCode32Selector = 0x08;
inline constexpr uint16_t kData32Selector = 0x10;
inline constexpr uint16_t kCode64Selector = 0x18;
inline constexpr uint16_t kCode32UserSelector = 0x23;
inline constexpr uint16_t kData32UserSelector = 0x2B;

// Ports.
inline constexpr uint16_t kDebugConsolePort = 0xE9;
inline constexpr uint16_t kCom1Base = 0x3F8;
inline constexpr uint16_t kExitPort = 0xF4;
/// Virtio-style devices (platform/virtio.h): a 0x40-port register window each.
inline constexpr uint16_t kVirtioConsoleBase = 0x600;
inline constexpr uint16_t kVirtioBlockBase = 0x640;
inline constexpr uint64_t kVirtioDiskSectors = 128; ///< 64 KiB, RAM-backed

} // namespace ringside::layout
