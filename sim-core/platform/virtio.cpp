#include "platform/virtio.h"

#include "util/hex.h"

#include <cstring>

namespace ringside {
namespace {

// A guest cannot make the device copy GiBs: per descriptor, and per notified console batch.
constexpr uint32_t kMaxBufferBytes = 64 * 1024;
constexpr size_t kMaxConsoleBatchBytes = size_t{1024} * 1024;
constexpr uint64_t kBlkHeaderSize = 16;

bool powerOfTwo(uint32_t v) { return v && !(v & (v - 1)); }

} // namespace

VirtioDevice::VirtioDevice(VirtioKind kind, uint16_t base, uint64_t diskSectors)
    : kind_(kind), base_(base), disk_(diskSectors * kVirtioSectorSize, 0) {
  // Each sector starts with its own name, so a read shows where it came from.
  for (uint64_t s = 0; s < diskSectors; ++s) {
    std::string label = "ringside disk sector " + std::to_string(s) + "\n";
    std::memcpy(disk_.data() + s * kVirtioSectorSize, label.data(), label.size());
  }
}

uint32_t VirtioDevice::read(uint16_t port) const {
  switch (port - base_) {
  case virtio_reg::kDeviceId:
    return static_cast<uint32_t>(kind_);
  case virtio_reg::kQueueSize:
    return queue_.size;
  case virtio_reg::kQueueDesc:
    return static_cast<uint32_t>(queue_.desc);
  case virtio_reg::kQueueAvail:
    return static_cast<uint32_t>(queue_.avail);
  case virtio_reg::kQueueUsed:
    return static_cast<uint32_t>(queue_.used);
  case virtio_reg::kStatus:
    return queue_.error.empty() ? 0 : kVirtioNeedsReset;
  case virtio_reg::kIrq:
    return irq_;
  case virtio_reg::kCapacity:
    return static_cast<uint32_t>(disk_.size() / kVirtioSectorSize);
  default:
    return 0;
  }
}

void VirtioDevice::reset() {
  queue_.reset();
  irq_ = kVirtioNoIrq;
}

VirtioDevice::Effects VirtioDevice::write(uint16_t port, uint32_t value, PhysicalMemory *ram) {
  Effects fx;
  switch (port - base_) {
  case virtio_reg::kQueueSize:
    if (powerOfTwo(value) && value <= Virtqueue::kMaxSize)
      queue_.size = static_cast<uint16_t>(value);
    else
      queue_.error = "queue size " + std::to_string(value) + " is not a power of 2 up to " +
                     std::to_string(Virtqueue::kMaxSize);
    break;
  case virtio_reg::kQueueDesc:
    queue_.desc = value;
    break;
  case virtio_reg::kQueueAvail:
    queue_.avail = value;
    break;
  case virtio_reg::kQueueUsed:
    queue_.used = value;
    break;
  case virtio_reg::kQueueNotify:
    ++notifications_;
    if (value != 0)
      queue_.error = "notified queue " + std::to_string(value) + "; the device has only queue 0";
    else if (!ram)
      queue_.error = "no guest memory attached to the device";
    else
      processQueue(*ram, fx);
    break;
  case virtio_reg::kStatus:
    if (value == 0)
      reset();
    break;
  case virtio_reg::kIrq:
    irq_ = value < 8 ? value : kVirtioNoIrq; // the master 8259A: IRQ 0-7
    break;
  default: // read-only registers
    break;
  }
  return fx;
}

void VirtioDevice::processQueue(PhysicalMemory &ram, Effects &fx) {
  // Everything the driver made available since the last notification: that is the batch.
  while (auto head = queue_.nextAvailable(ram)) {
    auto chain = queue_.chain(ram, *head);
    if (chain.empty())
      break;
    uint32_t written =
        kind_ == VirtioKind::Console ? serveConsole(ram, chain, fx) : serveBlock(ram, chain);
    if (!queue_.error.empty() || !queue_.complete(ram, *head, written))
      break;
    ++fx.completed;
  }
  fx.interrupt = fx.completed && irq_ != kVirtioNoIrq && !queue_.interruptSuppressed(ram);
}

uint32_t VirtioDevice::serveConsole(PhysicalMemory &ram, const std::vector<VirtqDescriptor> &chain,
                                    Effects &fx) {
  for (const auto &d : chain) {
    if (d.flags & kVirtqDescWrite)
      continue; // transmit queue: the device only reads
    if (d.len > kMaxBufferBytes) {
      queue_.error = "console buffer of " + std::to_string(d.len) + " bytes (at most " +
                     std::to_string(kMaxBufferBytes) + ")";
      return 0;
    }
    if (fx.consoleText.size() + d.len > kMaxConsoleBatchBytes) {
      queue_.error = "console batch of more than " + std::to_string(kMaxConsoleBatchBytes) +
                     " bytes in one notification";
      return 0;
    }
    std::string text(d.len, '\0');
    if (d.len && !ram.read(d.addr, text.data(), d.len)) {
      queue_.error = "console buffer at " + hex(d.addr) + " is not in RAM";
      return 0;
    }
    fx.consoleText += text;
  }
  return 0;
}

uint32_t VirtioDevice::serveBlock(PhysicalMemory &ram, const std::vector<VirtqDescriptor> &chain) {
  // Header (device-readable), data, status byte (device-writable, last).
  const VirtqDescriptor &status = chain.back();
  if (chain.size() < 2 || chain.front().len < kBlkHeaderSize ||
      (chain.front().flags & kVirtqDescWrite) || !(status.flags & kVirtqDescWrite) ||
      status.len < 1) {
    queue_.error = "block request is not header, data, status (virtio-blk layout)";
    return 0;
  }
  uint32_t type = 0;
  uint64_t sector = 0;
  if (!ram.read(chain.front().addr, &type, 4) || !ram.read(chain.front().addr + 8, &sector, 8)) {
    queue_.error = "block request header at " + hex(chain.front().addr) + " is not in RAM";
    return 0;
  }
  uint8_t result = kVirtioBlkOk;
  uint32_t written = 0;
  uint64_t offset = sector * kVirtioSectorSize;
  if (type != kVirtioBlkIn && type != kVirtioBlkOut)
    result = kVirtioBlkUnsupported;
  for (size_t i = 1; i + 1 < chain.size() && result == kVirtioBlkOk; ++i) {
    const auto &d = chain[i];
    bool toGuest = type == kVirtioBlkIn;
    // A read needs device-writable buffers, a write device-readable ones; whole sectors only.
    if (bool(d.flags & kVirtqDescWrite) != toGuest || d.len % kVirtioSectorSize ||
        sector >= disk_.size() / kVirtioSectorSize || d.len > disk_.size() - offset) {
      result = kVirtioBlkIoErr;
      break;
    }
    bool ok = toGuest ? ram.write(d.addr, disk_.data() + offset, d.len)
                      : ram.read(d.addr, disk_.data() + offset, d.len);
    if (!ok) {
      result = kVirtioBlkIoErr;
      break;
    }
    if (toGuest)
      written += d.len;
    offset += d.len;
  }
  if (!ram.write(status.addr, &result, 1)) {
    queue_.error = "block status byte at " + hex(status.addr) + " is not in RAM";
    return 0;
  }
  return written + 1;
}

} // namespace ringside
