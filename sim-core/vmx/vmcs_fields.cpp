#include "vmx/vmcs_fields.h"

#include <algorithm>
#include <array>
#include <memory>

namespace ringside {
namespace {

#include "vmx/vmcs_field_table.h"

struct GroupName {
  VmcsGroup group;
  std::string_view name;
};

// Names as the SDM's section titles spell them ("Organization of VMCS Data").
constexpr std::array kGroupNames = {
    GroupName{VmcsGroup::GuestRegister, "guest register state"},
    GroupName{VmcsGroup::GuestNonRegister, "guest non-register state"},
    GroupName{VmcsGroup::Host, "host state"},
    GroupName{VmcsGroup::ExecutionControls, "VM-execution controls"},
    GroupName{VmcsGroup::ExitControls, "VM-exit controls"},
    GroupName{VmcsGroup::EntryControls, "VM-entry controls"},
    GroupName{VmcsGroup::ExitInformation, "VM-exit information"},
};

constexpr std::array<std::string_view, 4> kWidthNames = {"16", "64", "32", "natural"};
constexpr std::array<std::string_view, 4> kTypeNames = {"control", "exit-info", "guest", "host"};

} // namespace

std::span<const VmcsFieldInfo> vmcsFields() { return kVmcsFieldTable; }

const VmcsFieldInfo *findVmcsField(uint32_t encoding) {
  // Looked up on every VMCS access (a dozen per VM exit): index every 16-bit encoding once.
  static const auto byEncoding = [] {
    auto rows = std::make_unique<std::array<const VmcsFieldInfo *, 0x10000>>();
    rows->fill(nullptr);
    for (const auto &f : vmcsFields())
      (*rows)[f.encoding] = &f;
    return rows;
  }();
  return encoding <= 0xFFFF ? (*byEncoding)[encoding] : nullptr;
}

const VmcsFieldInfo *findVmcsField(std::string_view name) {
  for (const auto &f : vmcsFields())
    if (f.name == name)
      return &f;
  return nullptr;
}

std::string_view vmcsFieldName(uint32_t encoding) {
  const auto *f = findVmcsField(encoding);
  return f ? f->name : std::string_view("UNKNOWN");
}

std::string_view vmcsWidthName(VmcsWidth w) { return kWidthNames[unsigned(w) & 3]; }
std::string_view vmcsTypeName(VmcsType t) { return kTypeNames[unsigned(t) & 3]; }

std::string_view vmcsGroupName(VmcsGroup g) {
  for (const auto &n : kGroupNames)
    if (n.group == g)
      return n.name;
  return "unknown";
}

unsigned vmcsFieldBits(const VmcsFieldInfo &f) {
  if (f.high)
    return 32;
  switch (f.width) {
  case VmcsWidth::W16:
    return 16;
  case VmcsWidth::W32:
    return 32;
  default:
    return 64; // 64-bit, and natural width on a 64-bit processor
  }
}

VmcsEncodingParts decodeVmcsEncoding(uint32_t encoding) {
  return VmcsEncodingParts{
      (encoding & 1) != 0,
      (encoding >> 1) & 0x1ff,
      VmcsType((encoding >> 10) & 3),
      VmcsWidth((encoding >> 13) & 3),
      (encoding & ~0x6fffu) == 0,
  };
}

} // namespace ringside
