#pragma once
// A minimal Intel 8259A interrupt controller: the master chip (ports 0x20/0x21) with the
// initialization sequence (ICW1-ICW4), the mask register (OCW1), end of interrupt (OCW2) and
// reading IRR/ISR (OCW3). Edge-triggered, fully nested priority (IRQ0 highest). The slave's
// ports (0xA0/0xA1) accept the same writes and are otherwise unused: only IRQ0, the timer,
// is wired on this platform (docs/platform.md).
#include "snapshot/byte_io.h"

#include <cstdint>
#include <optional>

namespace ringside {

class Pic {
public:
  static constexpr uint16_t kMasterCommand = 0x20, kMasterData = 0x21, kSlaveCommand = 0xA0,
                            kSlaveData = 0xA1;
  static bool claims(uint16_t port) {
    return port == kMasterCommand || port == kMasterData || port == kSlaveCommand ||
           port == kSlaveData;
  }

  void write(uint16_t port, uint8_t value);
  uint8_t read(uint16_t port) const;

  /// An edge on an IRQ line sets its request bit.
  void raise(unsigned irq);
  /// The vector the CPU would get if it acknowledged now (not masked, not blocked by a
  /// request in service of equal or higher priority).
  std::optional<uint8_t> pending() const;
  /// INTA: the pending request goes in service; returns its vector.
  std::optional<uint8_t> acknowledge();
  bool masked(unsigned irq) const { return imr_ & (1u << irq); }
  bool inService(unsigned irq) const { return isr_ & (1u << irq); }
  uint8_t vectorBase() const { return base_; }

  /// Register state for a snapshot (platform_state.cpp).
  void saveState(snapshot::ByteWriter &w) const;
  void restoreState(snapshot::ByteReader &r);

private:
  std::optional<unsigned> highestPending() const;

  uint8_t irr_ = 0, isr_ = 0;
  uint8_t imr_ = 0xFF; ///< everything masked until the guest programs the chip
  uint8_t base_ = 0x08;
  int initStep_ = 0; ///< 0: operational; 2, 3, 4: expecting that ICW
  bool needIcw4_ = false;
  bool readIsr_ = false;
  bool autoEoi_ = false;
  uint8_t slaveImr_ = 0xFF;
  int slaveInitStep_ = 0;
};

} // namespace ringside
