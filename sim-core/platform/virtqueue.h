#pragma once
// A split virtqueue (virtio 1.x, section 2.7) in guest RAM, seen from the device: a descriptor
// table, an available ring the driver fills and a used ring the device fills. The driver
// chooses the three addresses; the device reads and writes them like DMA, with no exit.
#include "mmu/page_walker.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringside {

/// One descriptor (16 bytes in guest RAM): a guest-physical buffer and its direction.
struct VirtqDescriptor {
  uint64_t addr = 0;
  uint32_t len = 0;
  uint16_t flags = 0;
  uint16_t next = 0;
};
inline constexpr uint16_t kVirtqDescNext = 1;  ///< the chain goes on at `next`
inline constexpr uint16_t kVirtqDescWrite = 2; ///< device-writable (else device-readable)
inline constexpr uint16_t kVirtqAvailNoInterrupt = 1;

/// The device side of one split virtqueue over guest-physical memory.
class Virtqueue {
public:
  static constexpr uint16_t kMaxSize = 64; ///< what QUEUE_SIZE reads before the driver picks

  void reset() { *this = Virtqueue{}; }
  uint16_t size = kMaxSize;
  uint64_t desc = 0, avail = 0, used = 0; ///< guest-physical addresses the driver wrote

  /// The next chain the driver made available, by its head index; nullopt when the ring is
  /// empty. A malformed ring sets `error` (and returns nullopt).
  std::optional<uint16_t> nextAvailable(const PhysicalMemory &ram);
  /// The descriptors of the chain starting at `head`; empty with `error` set when a descriptor
  /// is out of range, or the chain loops or is longer than the queue.
  std::vector<VirtqDescriptor> chain(const PhysicalMemory &ram, uint16_t head);
  /// Puts (head, written) in the used ring and publishes it by advancing used.idx.
  bool complete(PhysicalMemory &ram, uint16_t head, uint32_t written);
  /// The driver asked for no interrupt (avail.flags bit 0).
  bool interruptSuppressed(const PhysicalMemory &ram) const;

  std::string error;      ///< why the device stopped using this queue ("" = fine)
  uint16_t lastAvail = 0; ///< the device's position in the available ring
  uint16_t usedIdx = 0;

private:
  bool fail(std::string why);
};

} // namespace ringside
