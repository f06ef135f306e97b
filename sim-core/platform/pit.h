#pragma once
// Channel 0 of an Intel 8254 programmable interval timer, wired to IRQ 0. Its input clock is
// the platform's virtual clock, which on the emu backend ticks once per retired instruction
// (and jumps ahead while the CPU halts), so interrupts arrive at the same instruction in
// every run. Modes 0 (interrupt on terminal count), 2 (rate generator) and 3 (square wave);
// lobyte, hibyte and lobyte/hibyte access; the counter-latch command. Channels 1 and 2 accept
// programming and never interrupt. docs/platform.md.
#include "snapshot/byte_io.h"

#include <cstdint>
#include <optional>

namespace ringside {

class Pit {
public:
  static constexpr uint16_t kChannel0 = 0x40, kCommand = 0x43;
  static bool claims(uint16_t port) { return port >= 0x40 && port <= 0x43; }

  void write(uint64_t clock, uint16_t port, uint8_t value);
  uint8_t read(uint64_t clock, uint16_t port);

  /// The clock value of the next IRQ 0 edge at or after `clock`; nullopt when none will come.
  std::optional<uint64_t> nextEdge(uint64_t clock) const;
  /// Edges on IRQ 0 in (from, to]: at least one means the line was raised.
  uint64_t edgesBetween(uint64_t from, uint64_t to) const;

  /// Register state for a snapshot (platform_state.cpp).
  void saveState(snapshot::ByteWriter &w) const;
  void restoreState(snapshot::ByteReader &r);

private:
  uint16_t currentCount(uint64_t clock) const;
  uint64_t period() const { return reload_ ? reload_ : 0x10000; }

  uint8_t mode_ = 0;
  uint8_t access_ = 3; ///< 1 lobyte, 2 hibyte, 3 lobyte then hibyte
  bool armed_ = false; ///< a count was loaded: the channel counts
  uint32_t reload_ = 0;
  uint64_t start_ = 0; ///< clock at which the count was loaded
  bool writeHigh_ = false, readHigh_ = false;
  uint8_t lowByte_ = 0;
  std::optional<uint16_t> latched_;
};

} // namespace ringside
