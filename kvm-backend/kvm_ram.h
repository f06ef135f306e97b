#pragma once
// The VM's RAM as the platform's devices see it (virtio queues and buffers): the userspace
// mapping KVM's memory slots point at, minus the VGA window, which no slot backs. KVM's dirty
// log sees only the guest's (and the kernel's) stores; the devices' stores from userspace are
// logged here while migration asks for it, as QEMU keeps its own bitmap for them.
#include "mmu/page_walker.h"
#include "platform/layout.h"

#include <cstring>
#include <set>
#include <span>
#include <utility>

namespace ringside::kvm {

class KvmRam final : public PhysicalMemory {
public:
  explicit KvmRam(std::span<uint8_t> ram) : ram_(ram) {}
  bool read(uint64_t pa, void *dst, size_t n) const override {
    if (!backed(pa, n))
      return false;
    std::memcpy(dst, ram_.data() + pa, n);
    return true;
  }
  bool write(uint64_t pa, const void *src, size_t n) override {
    if (!backed(pa, n))
      return false;
    std::memcpy(ram_.data() + pa, src, n);
    if (tracking_)
      for (uint64_t p = pa / 4096; p <= (pa + n - 1) / 4096 && n > 0; ++p)
        dirty_.insert(p);
    return true;
  }
  void setTracking(bool on) {
    tracking_ = on;
    dirty_.clear();
  }
  /// Pages written from userspace since the last call, ascending; clears the set.
  std::set<uint64_t> takeDirty() { return std::exchange(dirty_, {}); }

private:
  bool backed(uint64_t pa, size_t n) const {
    const uint64_t vgaEnd = layout::kVgaBase + layout::kVgaSize;
    return pa < ram_.size() && n <= ram_.size() - pa && !(pa < vgaEnd && pa + n > layout::kVgaBase);
  }
  std::span<uint8_t> ram_;
  bool tracking_ = false;
  std::set<uint64_t> dirty_;
};

} // namespace ringside::kvm
