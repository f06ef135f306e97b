#pragma once
// Guest-physical RAM of the emu backend: one host buffer that Unicorn regions point into.
#include "mmu/page_walker.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace ringside::emu {

class GuestRam : public PhysicalMemory {
public:
  explicit GuestRam(uint64_t bytes);
  uint8_t *data() { return data_.get(); }
  const uint8_t *data() const { return data_.get(); }
  uint64_t size() const { return size_; }
  /// True when [pa, pa+n) is ordinary RAM (inside RAM and not in the VGA window).
  bool isRam(uint64_t pa, uint64_t n) const;

  bool read(uint64_t pa, void *dst, size_t n) const override;
  bool write(uint64_t pa, const void *src, size_t n) override;

  /// Dirty-page tracking (live migration): one flag per 4 KiB page, set by write() and by
  /// markDirty() (the backend's hook on guest stores) while tracking is on.
  void setTracking(bool on);
  bool tracking() const { return tracking_; }
  void markDirty(uint64_t pa, uint64_t n);
  /// Dirty page numbers in ascending order; clears the flags.
  std::vector<uint64_t> takeDirty();

private:
  struct Free {
    void operator()(uint8_t *p) const { std::free(p); }
  };
  std::unique_ptr<uint8_t, Free> data_;
  uint64_t size_;
  bool tracking_ = false;
  std::vector<uint8_t> dirty_;
};

} // namespace ringside::emu
