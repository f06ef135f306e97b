#pragma once
// VMCS fields: one table, read by everyone (VMCS model, exit decisions, trace, CLI, views).
// Rows come from ../shared/reference/vmcs_fields.json (Linux v6.12 enum vmcs_field), generated
// by scripts/gen_vmx_tables.py into vmcs_field_table.h. 64-bit fields have a second row for
// their HIGH alias (encoding | 1), exactly as the reference lists them.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ringside {

/// Encoding bits 14:13 (Intel SDM "Structure of VMCS Component Encoding").
enum class VmcsWidth : uint8_t { W16 = 0, W64 = 1, W32 = 2, Natural = 3 };
/// Encoding bits 11:10.
enum class VmcsType : uint8_t { Control = 0, ExitInfo = 1, Guest = 2, Host = 3 };
/// The SDM's functional groups ("Organization of VMCS Data").
enum class VmcsGroup : uint8_t {
  GuestRegister,
  GuestNonRegister,
  Host,
  ExecutionControls,
  ExitControls,
  EntryControls,
  ExitInformation,
};

struct VmcsFieldInfo {
  uint32_t encoding;
  std::string_view name; ///< as Linux spells it, e.g. "GUEST_RIP", "IO_BITMAP_A_HIGH"
  VmcsWidth width;       ///< of the field itself: a HIGH alias row says W64
  bool high;             ///< the HIGH alias of a 64-bit field (bits 63:32, accessed as 32 bits)
  VmcsType type;
  VmcsGroup group;
};

/// Every field the model knows, sorted by encoding.
std::span<const VmcsFieldInfo> vmcsFields();
const VmcsFieldInfo *findVmcsField(uint32_t encoding);
const VmcsFieldInfo *findVmcsField(std::string_view name);
/// The name, or "UNKNOWN" for an encoding not in the table.
std::string_view vmcsFieldName(uint32_t encoding);

std::string_view vmcsWidthName(VmcsWidth w); ///< "16", "32", "64", "natural"
std::string_view vmcsTypeName(VmcsType t);   ///< "control", "exit-info", "guest", "host"
std::string_view vmcsGroupName(VmcsGroup g); ///< e.g. "VM-execution controls"
/// Bits the field holds: 16, 32 or 64 (natural width is 64 in this model; a HIGH alias is 32).
unsigned vmcsFieldBits(const VmcsFieldInfo &f);

/// The encoding decode rules of the SDM: what bits 0, 11:10 and 14:13 say.
struct VmcsEncodingParts {
  bool high;              ///< bit 0: access type HIGH
  unsigned index;         ///< bits 9:1
  VmcsType type;          ///< bits 11:10
  VmcsWidth width;        ///< bits 14:13
  bool reservedBitsClear; ///< bits 12 and 15..31 are 0
};
VmcsEncodingParts decodeVmcsEncoding(uint32_t encoding);

namespace vmcs {
// The fields the rest of sim-core names in code.
inline constexpr uint32_t VirtualProcessorId = 0x0000;
inline constexpr uint32_t IoBitmapA = 0x2000;
inline constexpr uint32_t IoBitmapB = 0x2002;
inline constexpr uint32_t MsrBitmap = 0x2004;
inline constexpr uint32_t TscOffset = 0x2010;
inline constexpr uint32_t TertiaryControls = 0x2034;
inline constexpr uint32_t EptPointer = 0x201a;
inline constexpr uint32_t GuestPhysicalAddress = 0x2400;
inline constexpr uint32_t PinBasedControls = 0x4000;
inline constexpr uint32_t CpuBasedControls = 0x4002;
inline constexpr uint32_t ExceptionBitmap = 0x4004;
inline constexpr uint32_t PfErrorCodeMask = 0x4006;
inline constexpr uint32_t PfErrorCodeMatch = 0x4008;
inline constexpr uint32_t Cr3TargetCount = 0x400a;
inline constexpr uint32_t ExitControls = 0x400c;
inline constexpr uint32_t EntryControls = 0x4012;
inline constexpr uint32_t EntryIntrInfo = 0x4016;
inline constexpr uint32_t SecondaryControls = 0x401e;
inline constexpr uint32_t VmInstructionError = 0x4400;
inline constexpr uint32_t ExitReason = 0x4402;
inline constexpr uint32_t ExitIntrInfo = 0x4404;
inline constexpr uint32_t ExitIntrErrorCode = 0x4406;
inline constexpr uint32_t IdtVectoringInfo = 0x4408;
inline constexpr uint32_t IdtVectoringErrorCode = 0x440a;
inline constexpr uint32_t ExitInstructionLength = 0x440c;
inline constexpr uint32_t ExitInstructionInfo = 0x440e;
inline constexpr uint32_t Cr0GuestHostMask = 0x6000;
inline constexpr uint32_t Cr4GuestHostMask = 0x6002;
inline constexpr uint32_t Cr0ReadShadow = 0x6004;
inline constexpr uint32_t Cr4ReadShadow = 0x6006;
inline constexpr uint32_t Cr3TargetValue0 = 0x6008; ///< values 1..3 follow at +2 each
inline constexpr uint32_t ExitQualification = 0x6400;
inline constexpr uint32_t GuestLinearAddress = 0x640a;
inline constexpr uint32_t GuestCr0 = 0x6800;
inline constexpr uint32_t GuestCr3 = 0x6802;
inline constexpr uint32_t GuestCr4 = 0x6804;
inline constexpr uint32_t GuestRip = 0x681e;
} // namespace vmcs

} // namespace ringside
