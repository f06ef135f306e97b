#pragma once
// The boot stub that takes an emu guest from real mode to its protected or long entry state
// (boot_stub.asm). Unicorn 2.0.1 only reaches long mode when the guest switches itself.
#include <cstdint>
#include <span>

namespace ringside::emu {

inline constexpr uint64_t kBootStubBase = 0x5000;
inline constexpr uint64_t kBootStubProtectedEntry = 0x5000;
inline constexpr uint64_t kBootStubLongEntry = 0x5018;
inline constexpr uint64_t kBootStubGdtr = 0x5F00;
inline constexpr uint64_t kBootStubEntryPointer = 0x5F08;

std::span<const uint8_t> bootStubBytes();

} // namespace ringside::emu
