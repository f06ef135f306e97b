#include "vmx/vmx_bitmaps.h"

#include <optional>

namespace ringside {
namespace {

struct BitRef {
  size_t byte;
  uint8_t mask;
};

BitRef ioBit(uint16_t port) { return {size_t(port & 0x7fff) / 8, uint8_t(1u << (port & 7))}; }

Vmcs::Bitmap &ioPage(Vmcs &v, uint16_t port) {
  return port < 0x8000 ? v.ioBitmapA() : v.ioBitmapB();
}
const Vmcs::Bitmap &ioPage(const Vmcs &v, uint16_t port) {
  return port < 0x8000 ? v.ioBitmapA() : v.ioBitmapB();
}

constexpr uint32_t kLowMsrs = 0x00000000, kHighMsrs = 0xc0000000, kRangeSize = 0x2000;

std::optional<BitRef> msrBit(uint32_t msr, bool write) {
  size_t base;
  if (msr - kLowMsrs < kRangeSize)
    base = write ? 0x800 : 0x000;
  else if (msr - kHighMsrs < kRangeSize)
    base = write ? 0xc00 : 0x400;
  else
    return std::nullopt;
  uint32_t index = msr & (kRangeSize - 1);
  return BitRef{base + index / 8, uint8_t(1u << (index & 7))};
}

} // namespace

bool ioBitmapExits(const Vmcs &vmcs, uint16_t port, uint8_t size) {
  for (unsigned i = 0; i < size; ++i) {
    uint32_t p = uint32_t(port) + i;
    if (p > 0xffff)
      return true; // wraps around the I/O space
    auto bit = ioBit(uint16_t(p));
    if (ioPage(vmcs, uint16_t(p))[bit.byte] & bit.mask)
      return true;
  }
  return false;
}

void setIoIntercept(Vmcs &vmcs, uint16_t port, bool intercept) {
  auto bit = ioBit(port);
  auto &b = ioPage(vmcs, port)[bit.byte];
  b = intercept ? uint8_t(b | bit.mask) : uint8_t(b & ~bit.mask);
}

void setAllIoIntercepts(Vmcs &vmcs, bool intercept) {
  vmcs.ioBitmapA().fill(intercept ? 0xff : 0);
  vmcs.ioBitmapB().fill(intercept ? 0xff : 0);
}

bool msrBitmapExits(const Vmcs &vmcs, uint32_t msr, bool write) {
  auto bit = msrBit(msr, write);
  return !bit || (vmcs.msrBitmap()[bit->byte] & bit->mask) != 0;
}

bool setMsrIntercept(Vmcs &vmcs, uint32_t msr, bool write, bool intercept) {
  auto bit = msrBit(msr, write);
  if (!bit)
    return false;
  auto &b = vmcs.msrBitmap()[bit->byte];
  b = intercept ? uint8_t(b | bit->mask) : uint8_t(b & ~bit->mask);
  return true;
}

void setAllMsrIntercepts(Vmcs &vmcs, bool intercept) {
  vmcs.msrBitmap().fill(intercept ? 0xff : 0);
}

} // namespace ringside
