#include "emu/guest_ram.h"

#include "platform/layout.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>

namespace ringside::emu {

GuestRam::GuestRam(uint64_t bytes) : size_(bytes) {
  // Page-aligned so Unicorn can map any 4 KiB frame of it.
  data_.reset(static_cast<uint8_t *>(std::aligned_alloc(4096, bytes)));
  if (!data_)
    throw std::bad_alloc();
  std::memset(data_.get(), 0, bytes);
}

bool GuestRam::isRam(uint64_t pa, uint64_t n) const {
  if (pa >= size_ || n > size_ - pa)
    return false;
  uint64_t vgaEnd = layout::kVgaBase + layout::kVgaSize;
  return pa + n <= layout::kVgaBase || pa >= vgaEnd;
}

bool GuestRam::read(uint64_t pa, void *dst, size_t n) const {
  if (!isRam(pa, n))
    return false;
  std::memcpy(dst, data_.get() + pa, n);
  return true;
}

bool GuestRam::write(uint64_t pa, const void *src, size_t n) {
  if (!isRam(pa, n))
    return false;
  std::memcpy(data_.get() + pa, src, n);
  if (tracking_)
    markDirty(pa, n);
  return true;
}

void GuestRam::setTracking(bool on) {
  tracking_ = on;
  dirty_.assign(on ? size_ / 4096 : 0, 0);
}

void GuestRam::markDirty(uint64_t pa, uint64_t n) {
  if (!tracking_ || n == 0 || pa >= size_)
    return;
  uint64_t last = std::min(pa + n - 1, size_ - 1);
  for (uint64_t p = pa / 4096; p <= last / 4096; ++p)
    dirty_[p] = 1;
}

std::vector<uint64_t> GuestRam::takeDirty() {
  std::vector<uint64_t> out;
  for (uint64_t p = 0; p < dirty_.size(); ++p)
    if (dirty_[p]) {
      out.push_back(p);
      dirty_[p] = 0;
    }
  return out;
}

} // namespace ringside::emu
