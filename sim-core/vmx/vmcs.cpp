#include "vmx/vmcs.h"

#include "vmx/vm_instruction_errors.h"

namespace ringside {
namespace {

uint64_t widthMask(const VmcsFieldInfo &f) {
  unsigned bits = vmcsFieldBits(f);
  return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

} // namespace

uint64_t Vmcs::get(uint32_t encoding) const {
  const auto *f = findVmcsField(encoding);
  if (!f)
    return 0;
  auto it = values_.find(encoding & ~1u);
  uint64_t v = it == values_.end() ? 0 : it->second;
  return f->high ? v >> 32 : v & widthMask(*f);
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
  uint64_t &slot = values_[key];
  uint64_t old = slot;
  // A HIGH alias writes bits 63:32 and keeps 31:0; narrower fields drop the excess bits.
  slot = f.high ? (old & 0xffffffffull) | (value << 32) : value & widthMask(f);
  if (slot != old && listener_)
    listener_(VmcsEvent{key, old, slot});
}

} // namespace ringside
