#include "platform/pic.h"

namespace ringside {

void Pic::write(uint16_t port, uint8_t value) {
  if (port == kSlaveCommand || port == kSlaveData) {
    // Kept only so the usual initialization sequence does not misprogram the master.
    if (port == kSlaveCommand && (value & 0x10))
      slaveInitStep_ = 2;
    else if (port == kSlaveData && slaveInitStep_)
      slaveInitStep_ = slaveInitStep_ == 4 ? 0 : slaveInitStep_ + 1;
    else if (port == kSlaveData)
      slaveImr_ = value;
    return;
  }
  if (port == kMasterCommand) {
    if (value & 0x10) { // ICW1: start initialization
      initStep_ = 2;
      needIcw4_ = value & 0x01;
      irr_ = isr_ = 0;
      imr_ = 0;
      readIsr_ = false;
      autoEoi_ = false;
    } else if ((value & 0x18) == 0x08) { // OCW3
      if (value & 0x02)
        readIsr_ = value & 0x01;
    } else if ((value & 0x18) == 0x00) { // OCW2
      unsigned op = value >> 5;
      if (op == 1) { // non-specific EOI: the highest-priority request in service
        for (unsigned i = 0; i < 8; ++i)
          if (isr_ & (1u << i)) {
            isr_ &= ~(1u << i);
            break;
          }
      } else if (op == 3) { // specific EOI
        isr_ &= ~(1u << (value & 7));
      }
    }
    return;
  }
  // Data port: the ICW sequence, else OCW1 (the mask).
  switch (initStep_) {
  case 2:
    base_ = value & 0xF8;
    initStep_ = 3; // single mode is not modelled: ICW3 always follows
    return;
  case 3:
    initStep_ = needIcw4_ ? 4 : 0;
    return;
  case 4:
    autoEoi_ = value & 0x02;
    initStep_ = 0;
    return;
  default:
    imr_ = value;
  }
}

uint8_t Pic::read(uint16_t port) const {
  if (port == kSlaveData)
    return slaveImr_;
  if (port == kSlaveCommand)
    return 0;
  if (port == kMasterData)
    return imr_;
  return readIsr_ ? isr_ : irr_;
}

void Pic::raise(unsigned irq) {
  if (irq < 8)
    irr_ |= static_cast<uint8_t>(1u << irq);
}

std::optional<unsigned> Pic::highestPending() const {
  uint8_t ready = irr_ & ~imr_;
  for (unsigned i = 0; i < 8; ++i) {
    if (isr_ & (1u << i))
      return std::nullopt; // an equal or higher priority request is in service
    if (ready & (1u << i))
      return i;
  }
  return std::nullopt;
}

std::optional<uint8_t> Pic::pending() const {
  if (initStep_)
    return std::nullopt;
  auto irq = highestPending();
  if (!irq)
    return std::nullopt;
  return static_cast<uint8_t>(base_ + *irq);
}

std::optional<uint8_t> Pic::acknowledge() {
  auto vector = pending();
  if (!vector)
    return std::nullopt;
  unsigned irq = *vector - base_;
  irr_ &= static_cast<uint8_t>(~(1u << irq));
  if (!autoEoi_)
    isr_ |= static_cast<uint8_t>(1u << irq);
  return vector;
}

} // namespace ringside
