#include "platform/pit.h"

namespace ringside {

void Pit::write(uint64_t clock, uint16_t port, uint8_t value) {
  if (port == kCommand) {
    unsigned channel = value >> 6;
    if (channel != 0)
      return; // channels 1 and 2 (and read-back) do nothing here
    unsigned access = (value >> 4) & 3;
    if (access == 0) { // counter latch command
      latched_ = currentCount(clock);
      return;
    }
    access_ = static_cast<uint8_t>(access);
    mode_ = (value >> 1) & 7;
    if (mode_ > 5)
      mode_ -= 4;   // 6 and 7 are aliases of 2 and 3
    armed_ = false; // a new mode waits for a new count
    writeHigh_ = readHigh_ = false;
    latched_.reset();
    return;
  }
  if (port != kChannel0)
    return;
  auto load = [&](uint32_t count) {
    reload_ = count;
    start_ = clock;
    armed_ = true;
  };
  switch (access_) {
  case 1:
    load(value);
    break;
  case 2:
    load(uint32_t(value) << 8);
    break;
  default:
    if (!writeHigh_) {
      lowByte_ = value;
      writeHigh_ = true;
    } else {
      writeHigh_ = false;
      load(uint32_t(value) << 8 | lowByte_);
    }
  }
}

uint16_t Pit::currentCount(uint64_t clock) const {
  if (!armed_)
    return static_cast<uint16_t>(reload_);
  uint64_t elapsed = clock - start_;
  if (mode_ == 0)
    return elapsed >= period() ? 0 : static_cast<uint16_t>(period() - elapsed);
  return static_cast<uint16_t>(period() - elapsed % period());
}

uint8_t Pit::read(uint64_t clock, uint16_t port) {
  if (port != kChannel0)
    return 0xFF;
  uint16_t count = latched_ ? *latched_ : currentCount(clock);
  bool high = access_ == 2 || (access_ == 3 && readHigh_);
  if (access_ == 3)
    readHigh_ = !readHigh_;
  if (latched_ && (access_ != 3 || !readHigh_))
    latched_.reset(); // both bytes (or the one byte) of the latch were read
  return high ? static_cast<uint8_t>(count >> 8) : static_cast<uint8_t>(count);
}

std::optional<uint64_t> Pit::nextEdge(uint64_t clock) const {
  if (!armed_)
    return std::nullopt;
  uint64_t first = start_ + period();
  if (mode_ == 0)
    return clock <= first ? std::optional<uint64_t>(first) : std::nullopt;
  if (clock <= first)
    return first;
  // Periodic: edges at start + k·period, k ≥ 1 (mode 3's output rises at the same rate).
  uint64_t k = (clock - start_ + period() - 1) / period();
  return start_ + k * period();
}

uint64_t Pit::edgesBetween(uint64_t from, uint64_t to) const {
  if (!armed_ || to <= from)
    return 0;
  auto edgesUpTo = [&](uint64_t t) -> uint64_t {
    if (t < start_ + period())
      return 0;
    return mode_ == 0 ? 1 : (t - start_) / period();
  };
  return edgesUpTo(to) - edgesUpTo(from);
}

} // namespace ringside
