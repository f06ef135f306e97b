#include "platform/platform.h"

#include <cstring>

namespace ringside {
namespace {

// 16550 register offsets from COM1's base, and the LSR bits a polling driver waits for.
constexpr uint16_t kUartThr = 0, kUartIer = 1, kUartIir = 2, kUartLcr = 3, kUartMcr = 4,
                   kUartLsr = 5, kUartMsr = 6, kUartScr = 7;
constexpr uint8_t kLsrThrEmpty = 0x20, kLsrTransmitterIdle = 0x40;
constexpr uint8_t kLcrDlab = 0x80;

uint64_t mask(uint8_t size) { return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1; }

} // namespace

const char *deviceName(DeviceId id) {
  switch (id) {
  case DeviceId::Unassigned:
    return "unassigned";
  case DeviceId::Vga:
    return "vga";
  }
  return "?";
}

Platform::Platform(Trace &trace) : trace_(trace), vga_(layout::kVgaSize, 0) {
  // A blank VGA screen is spaces in light grey on black, as a BIOS leaves it.
  for (size_t i = 0; i + 1 < layout::kVgaColumns * layout::kVgaRows * 2; i += 2) {
    vga_[i] = ' ';
    vga_[i + 1] = 0x07;
  }
}

void Platform::consoleByte(uint64_t instructions, uint16_t port, uint8_t byte) {
  console_.push_back(static_cast<char>(byte));
  trace_.record(instructions, ConsoleEvent{port, std::string(1, static_cast<char>(byte))});
}

void Platform::writeConsole(uint64_t instructions, std::string_view text) {
  console_ += text;
  trace_.record(instructions, ConsoleEvent{0, std::string(text)});
}

void Platform::attachMemory(PhysicalMemory *ram) {
  ram_ = ram;
  virtioConsole_.reset();
  virtioBlock_.reset();
}

VirtioDevice *Platform::virtioAt(uint16_t port) {
  for (VirtioDevice *d : {&virtioConsole_, &virtioBlock_})
    if (d->claims(port))
      return d;
  return nullptr;
}

void Platform::advanceClock(uint64_t clock) {
  if (clock <= clock_)
    return;
  if (pit_.edgesBetween(clock_, clock))
    pic_.raise(0);
  clock_ = clock;
}

std::optional<uint64_t> Platform::nextInterruptAt() const {
  // Masked, or IRQ 0 still in service (no EOI yet): another edge cannot interrupt the CPU.
  if (pic_.masked(0) || pic_.inService(0))
    return std::nullopt;
  return pit_.nextEdge(clock_ + 1);
}

void Platform::portWrite(uint64_t instructions, uint16_t port, uint8_t size, uint32_t value) {
  if (Pit::claims(port)) {
    pit_.write(clock_, port, static_cast<uint8_t>(value));
    return;
  }
  if (Pic::claims(port)) {
    pic_.write(port, static_cast<uint8_t>(value));
    return;
  }
  if (VirtioDevice *device = virtioAt(port)) {
    auto fx = device->write(port, value, ram_);
    if (!fx.consoleText.empty()) { // one console event per batch, from the device's port
      console_ += fx.consoleText;
      trace_.record(instructions, ConsoleEvent{device->base(), fx.consoleText});
    }
    if (fx.interrupt)
      pic_.raise(device->irq());
    return;
  }
  if (port == layout::kDebugConsolePort) {
    consoleByte(instructions, port, static_cast<uint8_t>(value));
    return;
  }
  if (port == layout::kExitPort) {
    // Only a 32-bit write stops the guest, so stray byte writes from other code do not.
    if (size == 4 && !exitCode_)
      exitCode_ = value;
    return;
  }
  if (port >= layout::kCom1Base && port < layout::kCom1Base + 8) {
    uint16_t reg = port - layout::kCom1Base;
    auto byte = static_cast<uint8_t>(value);
    bool dlab = uartLcr_ & kLcrDlab;
    switch (reg) {
    case kUartThr:
      if (dlab)
        uartDll_ = byte;
      else
        consoleByte(instructions, layout::kCom1Base, byte);
      break;
    case kUartIer:
      (dlab ? uartDlm_ : uartIer_) = byte;
      break;
    case kUartLcr:
      uartLcr_ = byte;
      break;
    case kUartScr:
      uartScratch_ = byte;
      break;
    default: // FCR, MCR: accepted and ignored; LSR/MSR are read-only
      break;
    }
  }
}

uint32_t Platform::portRead(uint64_t, uint16_t port, uint8_t size) {
  if (VirtioDevice *device = virtioAt(port))
    return device->read(port) & static_cast<uint32_t>(mask(size));
  if (Pit::claims(port))
    return pit_.read(clock_, port);
  if (Pic::claims(port))
    return pic_.read(port);
  if (port >= layout::kCom1Base && port < layout::kCom1Base + 8) {
    bool dlab = uartLcr_ & kLcrDlab;
    switch (port - layout::kCom1Base) {
    case kUartThr:
      return dlab ? uartDll_ : 0; // no input: the receive buffer is empty
    case kUartIer:
      return dlab ? uartDlm_ : uartIer_;
    case kUartIir:
      return 0x01; // no interrupt pending
    case kUartLcr:
      return uartLcr_;
    case kUartMcr:
      return 0;
    case kUartLsr:
      return kLsrThrEmpty | kLsrTransmitterIdle; // always ready to send
    case kUartMsr:
      return 0;
    case kUartScr:
      return uartScratch_;
    }
  }
  return static_cast<uint32_t>(mask(size)); // nothing there: the bus floats high
}

DeviceId Platform::deviceAt(uint64_t gpa) const {
  if (gpa >= layout::kVgaBase && gpa < layout::kVgaBase + layout::kVgaSize)
    return DeviceId::Vga;
  return DeviceId::Unassigned;
}

void Platform::mmioWrite(uint64_t gpa, uint8_t size, uint64_t value) {
  if (deviceAt(gpa) != DeviceId::Vga)
    return;
  uint64_t offset = gpa - layout::kVgaBase;
  for (uint8_t i = 0; i < size && offset + i < vga_.size(); ++i)
    vga_[offset + i] = static_cast<uint8_t>(value >> (8 * i));
}

uint64_t Platform::mmioRead(uint64_t gpa, uint8_t size) const {
  if (deviceAt(gpa) != DeviceId::Vga)
    return mask(size);
  uint64_t offset = gpa - layout::kVgaBase, value = 0;
  for (uint8_t i = 0; i < size && offset + i < vga_.size(); ++i)
    value |= uint64_t(vga_[offset + i]) << (8 * i);
  return value;
}

std::array<uint16_t, layout::kVgaColumns * layout::kVgaRows> Platform::vgaCells() const {
  std::array<uint16_t, layout::kVgaColumns * layout::kVgaRows> cells{};
  std::memcpy(cells.data(), vga_.data(), sizeof(cells));
  return cells;
}

std::string Platform::vgaText() const {
  std::string text;
  for (unsigned row = 0; row < layout::kVgaRows; ++row) {
    std::string line;
    for (unsigned col = 0; col < layout::kVgaColumns; ++col) {
      auto ch = static_cast<char>(vga_[2 * (row * layout::kVgaColumns + col)]);
      line.push_back(ch >= 0x20 && ch < 0x7f ? ch : ' ');
    }
    line.erase(line.find_last_not_of(' ') + 1);
    text += line + "\n";
  }
  text.erase(text.find_last_not_of('\n') + 1);
  return text;
}

} // namespace ringside
