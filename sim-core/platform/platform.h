#pragma once
// The Ringside platform: the devices a guest can talk to, the same on every backend
// (docs/platform.md). Backends forward port and MMIO accesses here and record the io/mmio
// events themselves; the platform records the console events it derives from them.
#include "platform/layout.h"
#include "platform/pic.h"
#include "platform/pit.h"
#include "platform/virtio.h"
#include "snapshot/byte_io.h"
#include "trace/trace.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ringside {

enum class DeviceId : uint8_t { Unassigned = 0, Vga = 1 };
const char *deviceName(DeviceId id);

class Platform {
public:
  explicit Platform(Trace &trace);

  /// A guest OUT. `instructions` is the retired-instruction count at the access.
  void portWrite(uint64_t instructions, uint16_t port, uint8_t size, uint32_t value);
  /// A guest IN. Unknown ports read as all ones, as on a PC.
  uint32_t portRead(uint64_t instructions, uint16_t port, uint8_t size);

  /// Which device claims a guest-physical address outside RAM (or the VGA hole inside it).
  DeviceId deviceAt(uint64_t gpa) const;
  void mmioWrite(uint64_t gpa, uint8_t size, uint64_t value);
  uint64_t mmioRead(uint64_t gpa, uint8_t size) const;

  // The timer (i8254 channel 0 → IRQ 0 → 8259A). Its clock is the backend's virtual clock,
  // which only moves forward; port accesses to the timer use the clock last advanced to.
  /// Moves the clock to `clock`, raising IRQ 0 if the timer fired on the way.
  void advanceClock(uint64_t clock);
  uint64_t clock() const { return clock_; }
  /// When the next timer interrupt will be requested (IRQ 0 unmasked); nullopt if never.
  std::optional<uint64_t> nextInterruptAt() const;
  /// The vector an interrupt acknowledge would return now, if any.
  std::optional<uint8_t> pendingInterrupt() const { return pic_.pending(); }
  std::optional<uint8_t> acknowledgeInterrupt() { return pic_.acknowledge(); }

  /// The guest RAM the virtio devices reach (their queues and buffers). Backends attach it when
  /// they create RAM; until then a notification fails the queue with a message. New RAM is a
  /// new machine: the devices' queues (addresses into the old RAM) are reset.
  void attachMemory(PhysicalMemory *ram);
  const VirtioDevice &virtioConsole() const { return virtioConsole_; }
  VirtioDevice &virtioBlock() { return virtioBlock_; }
  const VirtioDevice &virtioBlock() const { return virtioBlock_; }

  /// Console text that did not come through a port (a console_write hypercall: port 0).
  void writeConsole(uint64_t instructions, std::string_view text);

  /// Set once the guest wrote a 32-bit value to the exit port.
  std::optional<uint32_t> exitCode() const { return exitCode_; }
  /// Everything written to the debug console and COM1, in order.
  const std::string &console() const { return console_; }
  /// The 80×25 text cells: character in the low byte, attribute in the high byte.
  std::array<uint16_t, layout::kVgaColumns * layout::kVgaRows> vgaCells() const;
  /// The text of the VGA screen, one line per row, trailing blanks removed.
  std::string vgaText() const;

  /// Device state for a snapshot (platform_state.cpp; the DEVS section of docs/snapshots.md).
  void saveState(snapshot::ByteWriter &w) const;
  void restoreState(snapshot::ByteReader &r);

private:
  void consoleByte(uint64_t instructions, uint16_t port, uint8_t byte);
  VirtioDevice *virtioAt(uint16_t port);

  Trace &trace_;
  std::string console_;
  std::optional<uint32_t> exitCode_;
  std::vector<uint8_t> vga_;
  Pit pit_;
  Pic pic_;
  uint64_t clock_ = 0;
  PhysicalMemory *ram_ = nullptr;
  VirtioDevice virtioConsole_{VirtioKind::Console, layout::kVirtioConsoleBase};
  VirtioDevice virtioBlock_{VirtioKind::Block, layout::kVirtioBlockBase,
                            layout::kVirtioDiskSectors};
  uint8_t uartLcr_ = 0, uartIer_ = 0, uartScratch_ = 0, uartDll_ = 0, uartDlm_ = 0;
};

} // namespace ringside
