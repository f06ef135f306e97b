#pragma once
// VMX basic exit reasons: one table, read by everyone (trace, CLI, views, grader).
// Numbers and names follow the Intel SDM as Linux's uapi asm/vmx.h spells them.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ringside {

struct ExitReasonInfo {
  uint16_t number;
  std::string_view name;        ///< as Linux spells it, e.g. "IO_INSTRUCTION"
  std::string_view description; ///< one line for people
};

/// Every basic exit reason the project knows, sorted by number.
std::span<const ExitReasonInfo> exitReasons();
const ExitReasonInfo *findExitReason(uint16_t number);
std::optional<uint16_t> exitReasonByName(std::string_view name);
/// The name, or "UNKNOWN" for a number not in the table.
std::string_view exitReasonName(uint16_t number);

namespace exit_reason {
inline constexpr uint16_t ExceptionNmi = 0;
inline constexpr uint16_t ExternalInterrupt = 1;
inline constexpr uint16_t TripleFault = 2;
inline constexpr uint16_t Cpuid = 10;
inline constexpr uint16_t Hlt = 12;
inline constexpr uint16_t Invd = 13;
inline constexpr uint16_t Invlpg = 14;
inline constexpr uint16_t Rdtsc = 16;
inline constexpr uint16_t Vmcall = 18;
inline constexpr uint16_t Vmlaunch = 20;
inline constexpr uint16_t CrAccess = 28;
inline constexpr uint16_t DrAccess = 29;
inline constexpr uint16_t IoInstruction = 30;
inline constexpr uint16_t MsrRead = 31;
inline constexpr uint16_t MsrWrite = 32;
inline constexpr uint16_t InvalidState = 33;
inline constexpr uint16_t EptViolation = 48;
inline constexpr uint16_t EptMisconfig = 49;
inline constexpr uint16_t Xsetbv = 55;
} // namespace exit_reason

} // namespace ringside
