#include "platform/virtqueue.h"

#include "util/hex.h"

#include <cstring>

namespace ringside {
namespace {

// Offsets in the rings (virtio 1.x 2.7.6, 2.7.8): flags, idx, then the ring entries.
constexpr uint64_t kRingIdx = 2, kRingEntries = 4;
constexpr uint64_t kDescSize = 16, kUsedEntrySize = 8;

} // namespace

bool Virtqueue::fail(std::string why) {
  if (error.empty())
    error = std::move(why);
  return false;
}

std::optional<uint16_t> Virtqueue::nextAvailable(const PhysicalMemory &ram) {
  if (!error.empty())
    return std::nullopt;
  if (!desc || !avail || !used) {
    fail("notified before the driver set the descriptor, available and used addresses");
    return std::nullopt;
  }
  uint16_t idx = 0;
  if (!ram.read(avail + kRingIdx, &idx, 2)) {
    fail("available ring at " + hex(avail) + " is not in RAM");
    return std::nullopt;
  }
  if (idx == lastAvail)
    return std::nullopt;
  // More entries than the queue holds cannot be new: the driver's index is corrupt.
  if (static_cast<uint16_t>(idx - lastAvail) > size) {
    fail("available index " + std::to_string(idx) + " is more than " + std::to_string(size) +
         " ahead of the device's " + std::to_string(lastAvail));
    return std::nullopt;
  }
  uint16_t head = 0;
  if (!ram.read(avail + kRingEntries + 2ull * (lastAvail % size), &head, 2)) {
    fail("available ring at " + hex(avail) + " is not in RAM");
    return std::nullopt;
  }
  ++lastAvail;
  return head;
}

std::vector<VirtqDescriptor> Virtqueue::chain(const PhysicalMemory &ram, uint16_t head) {
  std::vector<VirtqDescriptor> out;
  uint16_t i = head;
  for (;;) {
    if (i >= size) {
      fail("descriptor index " + std::to_string(i) + " is outside the queue of " +
           std::to_string(size));
      return {};
    }
    if (out.size() == size) { // a chain visits each descriptor at most once
      fail("descriptor chain from " + std::to_string(head) + " loops");
      return {};
    }
    uint8_t raw[kDescSize];
    if (!ram.read(desc + kDescSize * i, raw, sizeof raw)) {
      fail("descriptor table at " + hex(desc) + " is not in RAM");
      return {};
    }
    VirtqDescriptor d;
    std::memcpy(&d.addr, raw, 8);
    std::memcpy(&d.len, raw + 8, 4);
    std::memcpy(&d.flags, raw + 12, 2);
    std::memcpy(&d.next, raw + 14, 2);
    out.push_back(d);
    if (!(d.flags & kVirtqDescNext))
      return out;
    i = d.next;
  }
}

bool Virtqueue::complete(PhysicalMemory &ram, uint16_t head, uint32_t written) {
  uint8_t entry[kUsedEntrySize];
  uint32_t id = head;
  std::memcpy(entry, &id, 4);
  std::memcpy(entry + 4, &written, 4);
  uint16_t next = usedIdx + 1;
  // The entry first, then the index: the driver must never see an index ahead of its entry.
  if (!ram.write(used + kRingEntries + kUsedEntrySize * (usedIdx % size), entry, sizeof entry) ||
      !ram.write(used + kRingIdx, &next, 2))
    return fail("used ring at " + hex(used) + " is not in RAM");
  usedIdx = next;
  return true;
}

bool Virtqueue::interruptSuppressed(const PhysicalMemory &ram) const {
  uint16_t flags = 0;
  return ram.read(avail, &flags, 2) && (flags & kVirtqAvailNoInterrupt);
}

} // namespace ringside
