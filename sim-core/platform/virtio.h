#pragma once
// Virtio-style devices (docs/platform.md, "Virtio-style devices"): one split virtqueue each, set
// up and notified through a small port-I/O register window, as virtio's legacy PCI interface
// does without the PCI. The driver writes the queue addresses once; after that a whole batch
// of buffers costs one notification (one OUT, one exit) and the device completes them by
// updating the used ring in guest RAM, optionally raising an IRQ at the 8259A.
#include "mmu/page_walker.h"
#include "platform/virtqueue.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ringside {

/// Virtio device ids (virtio 1.x, section 5).
enum class VirtioKind : uint8_t { Block = 2, Console = 3 };

/// Register offsets from the device's base port. All registers are 32-bit.
namespace virtio_reg {
inline constexpr uint16_t kDeviceId = 0x00;    ///< r: 2 block, 3 console
inline constexpr uint16_t kQueueSize = 0x04;   ///< r/w: entries (a power of 2, at most 64)
inline constexpr uint16_t kQueueDesc = 0x08;   ///< r/w: descriptor table, guest-physical
inline constexpr uint16_t kQueueAvail = 0x0C;  ///< r/w: available ring
inline constexpr uint16_t kQueueUsed = 0x10;   ///< r/w: used ring
inline constexpr uint16_t kQueueNotify = 0x14; ///< w: "buffers are available" (value: queue 0)
inline constexpr uint16_t kStatus = 0x18;      ///< r: 0 fine, 0x40 needs reset; w 0: reset
inline constexpr uint16_t kIrq = 0x1C;         ///< r/w: IRQ (0-7) raised on completion, 0xFF none
inline constexpr uint16_t kCapacity = 0x20;    ///< r: block: disk size in 512-byte sectors
inline constexpr uint16_t kWindow = 0x40;      ///< ports per device
} // namespace virtio_reg

inline constexpr uint32_t kVirtioNeedsReset = 0x40; ///< virtio's DEVICE_NEEDS_RESET status bit
inline constexpr uint32_t kVirtioNoIrq = 0xFF;

// virtio-blk requests (virtio 1.x 5.2.6): a 16-byte header {u32 type, u32 reserved, u64
// sector}, data buffers, then one device-writable status byte.
inline constexpr uint32_t kVirtioBlkIn = 0, kVirtioBlkOut = 1; ///< read from / write to the disk
inline constexpr uint8_t kVirtioBlkOk = 0, kVirtioBlkIoErr = 1, kVirtioBlkUnsupported = 2;
inline constexpr uint64_t kVirtioSectorSize = 512;

class VirtioDevice {
public:
  VirtioDevice(VirtioKind kind, uint16_t base, uint64_t diskSectors = 0);

  bool claims(uint16_t port) const { return port >= base_ && port < base_ + virtio_reg::kWindow; }
  uint32_t read(uint16_t port) const;

  /// What a register write made the device do, for the platform to pass on.
  struct Effects {
    std::string consoleText; ///< console: the bytes the transmit queue carried
    bool interrupt = false;  ///< raise irq() now
    uint32_t completed = 0;  ///< buffers put in the used ring
  };
  /// A register write; `ram` is the guest's memory the queue lives in (nullptr: none attached).
  Effects write(uint16_t port, uint32_t value, PhysicalMemory *ram);

  /// The driver's reset (STATUS = 0), also used when the machine gets new RAM: the queue is
  /// forgotten, the disk is kept.
  void reset();

  VirtioKind kind() const { return kind_; }
  uint16_t base() const { return base_; }
  uint32_t irq() const { return irq_; }
  uint64_t notifications() const { return notifications_; }
  /// The driver has touched the device (queue addresses, IRQ, a notification): snapshots
  /// refuse the machine then, as the queue and disk are not in the format (platform_state.cpp).
  bool active() const {
    return notifications_ || queue_.desc || queue_.avail || queue_.used || irq_ != kVirtioNoIrq;
  }
  /// Why the device stopped ("" while it works): the STATUS register reads 0x40 then.
  const std::string &error() const { return queue_.error; }
  std::span<uint8_t> disk() { return disk_; }
  std::span<const uint8_t> disk() const { return disk_; }

private:
  void processQueue(PhysicalMemory &ram, Effects &fx);
  /// One chain: returns the bytes written into device-writable buffers (the used length).
  uint32_t serveConsole(PhysicalMemory &ram, const std::vector<VirtqDescriptor> &chain,
                        Effects &fx);
  uint32_t serveBlock(PhysicalMemory &ram, const std::vector<VirtqDescriptor> &chain);

  VirtioKind kind_;
  uint16_t base_;
  Virtqueue queue_;
  uint32_t irq_ = kVirtioNoIrq;
  uint64_t notifications_ = 0;
  std::vector<uint8_t> disk_;
};

} // namespace ringside
