#pragma once
// VM-instruction error numbers (SDM "VM-Instruction Error Numbers"), as Linux's enum
// vm_instruction_error_number spells them (checked against ../shared/reference/vmx_constants.json).
#include <cstdint>
#include <span>
#include <string_view>

namespace ringside {

struct VmInstructionErrorInfo {
  uint32_t number;
  std::string_view name; ///< without the VMXERR_ prefix
};

std::span<const VmInstructionErrorInfo> vmInstructionErrors();
/// The name, or "UNKNOWN".
std::string_view vmInstructionErrorName(uint32_t number);

namespace vmx_error {
inline constexpr uint32_t None = 0; ///< not an error: the instruction succeeded (VMsucceed)
inline constexpr uint32_t VmlaunchNonclearVmcs = 4;
inline constexpr uint32_t VmresumeNonlaunchedVmcs = 5;
inline constexpr uint32_t EntryInvalidControlField = 7;
inline constexpr uint32_t EntryInvalidHostStateField = 8;
inline constexpr uint32_t UnsupportedVmcsComponent = 12;
inline constexpr uint32_t VmwriteReadOnlyComponent = 13;
} // namespace vmx_error

} // namespace ringside
