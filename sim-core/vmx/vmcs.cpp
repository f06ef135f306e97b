#include "vmx/vmcs.h"

#include "vmx/vm_instruction_errors.h"

#include <array>

namespace ringside {
namespace {

uint64_t widthMask(const VmcsFieldInfo &f) {
  unsigned bits = vmcsFieldBits(f);
  return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

// Every exit reads and writes a dozen fields: index the table by encoding once, so a field
// access is an array lookup rather than a search.
struct FieldIndex {
  std::array<int16_t, 0x10000> slot; ///< encoding -> index of its full field, -1 if none
  size_t count = 0;
  FieldIndex() {
    slot.fill(-1);
    for (const auto &f : vmcsFields())
      if (!f.high)
        slot[f.encoding] = static_cast<int16_t>(count++);
    for (const auto &f : vmcsFields())
      if (f.high && slot[f.encoding & ~1u] >= 0)
        slot[f.encoding] = slot[f.encoding & ~1u];
  }
};

const FieldIndex &fieldIndex() {
  static const FieldIndex index;
  return index;
}

} // namespace

Vmcs::Vmcs() : values_(fieldIndex().count, 0), written_(fieldIndex().count, false) {}

uint64_t Vmcs::get(uint32_t encoding) const {
  if (encoding > 0xFFFF || fieldIndex().slot[encoding] < 0)
    return 0;
  const auto *f = findVmcsField(encoding);
  uint64_t v = values_[fieldIndex().slot[encoding]];
  return f->high ? v >> 32 : v & widthMask(*f);
}

std::map<uint32_t, uint64_t> Vmcs::values() const {
  std::map<uint32_t, uint64_t> out;
  for (const auto &f : vmcsFields())
    if (!f.high && written_[fieldIndex().slot[f.encoding]])
      out[f.encoding] = values_[fieldIndex().slot[f.encoding]];
  return out;
}

Vmcs::Access Vmcs::vmread(uint32_t encoding) const {
  if (!findVmcsField(encoding))
    return {vmx_error::UnsupportedVmcsComponent, 0};
  return {vmx_error::None, get(encoding)};
}

Vmcs::Access Vmcs::vmwrite(uint32_t encoding, uint64_t value) {
  const auto *f = findVmcsField(encoding);
  if (!f)
    return {vmx_error::UnsupportedVmcsComponent, 0};
  if (f->type == VmcsType::ExitInfo && !vmwriteAnyField_)
    return {vmx_error::VmwriteReadOnlyComponent, 0};
  store(*f, value);
  return {vmx_error::None, 0};
}

bool Vmcs::set(uint32_t encoding, uint64_t value) {
  const auto *f = findVmcsField(encoding);
  if (!f)
    return false;
  store(*f, value);
  return true;
}

void Vmcs::store(const VmcsFieldInfo &f, uint64_t value) {
  uint32_t key = f.encoding & ~1u;
  size_t index = static_cast<size_t>(fieldIndex().slot[f.encoding]);
  written_[index] = true;
  uint64_t &slot = values_[index];
  uint64_t old = slot;
  // A HIGH alias writes bits 63:32 and keeps 31:0; narrower fields drop the excess bits.
  slot = f.high ? (old & 0xffffffffull) | (value << 32) : value & widthMask(f);
  if (slot != old && listener_)
    listener_(VmcsEvent{key, old, slot});
}

} // namespace ringside
