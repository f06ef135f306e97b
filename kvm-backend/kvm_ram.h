#pragma once
// The VM's RAM as the platform's devices see it (virtio queues and buffers): the userspace
// mapping KVM's memory slots point at, minus the VGA window, which no slot backs.
#include "mmu/page_walker.h"
#include "platform/layout.h"

#include <cstring>
#include <span>

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
    return true;
  }

private:
  bool backed(uint64_t pa, size_t n) const {
    const uint64_t vgaEnd = layout::kVgaBase + layout::kVgaSize;
    return pa < ram_.size() && n <= ram_.size() - pa && !(pa < vgaEnd && pa + n > layout::kVgaBase);
  }
  std::span<uint8_t> ram_;
};

} // namespace ringside::kvm
