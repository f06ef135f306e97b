// The platform's device state in a snapshot (DEVS section, docs/snapshots.md): the 8254, the
// 8259A, the 16550's registers, the debug console and VGA text memory, and the clock the
// devices last saw. Field order here is the file format: change it only with the version.
// The virtio devices' queues and disk are not in it: a machine whose driver has set one up is
// refused (on both backends) rather than saved without them.
#include "platform/platform.h"

#include "errors.h"

namespace ringside {

void Pit::saveState(snapshot::ByteWriter &w) const {
  w.u8(mode_);
  w.u8(access_);
  w.boolean(armed_);
  w.u32(reload_);
  w.u64(start_);
  w.boolean(writeHigh_);
  w.boolean(readHigh_);
  w.u8(lowByte_);
  w.boolean(latched_.has_value());
  w.u16(latched_.value_or(0));
}

void Pit::restoreState(snapshot::ByteReader &r) {
  mode_ = r.u8();
  access_ = r.u8();
  armed_ = r.boolean();
  reload_ = r.u32();
  if (reload_ > 0xFFFF)
    r.fail("8254 reload value " + std::to_string(reload_) + " does not fit 16 bits");
  start_ = r.u64();
  writeHigh_ = r.boolean();
  readHigh_ = r.boolean();
  lowByte_ = r.u8();
  bool latched = r.boolean();
  uint16_t value = r.u16();
  latched_ = latched ? std::optional<uint16_t>(value) : std::nullopt;
}

void Pic::saveState(snapshot::ByteWriter &w) const {
  w.u8(irr_);
  w.u8(isr_);
  w.u8(imr_);
  w.u8(base_);
  w.u8(static_cast<uint8_t>(initStep_));
  w.boolean(needIcw4_);
  w.boolean(readIsr_);
  w.boolean(autoEoi_);
  w.u8(slaveImr_);
  w.u8(static_cast<uint8_t>(slaveInitStep_));
}

void Pic::restoreState(snapshot::ByteReader &r) {
  irr_ = r.u8();
  isr_ = r.u8();
  imr_ = r.u8();
  base_ = r.u8();
  initStep_ = r.u8();
  needIcw4_ = r.boolean();
  readIsr_ = r.boolean();
  autoEoi_ = r.boolean();
  slaveImr_ = r.u8();
  slaveInitStep_ = r.u8();
  if (initStep_ > 4 || slaveInitStep_ > 4)
    r.fail("8259A initialization step out of range");
}

void Platform::saveState(snapshot::ByteWriter &w) const {
  for (const VirtioDevice *d : {&virtioConsole_, &virtioBlock_})
    if (d->active())
      throw InputError(std::string("snapshot: the guest has set up the virtio ") +
                       (d->kind() == VirtioKind::Block ? "block" : "console") +
                       " device; its virtqueue and disk are not part of the snapshot format "
                       "(docs/snapshots.md), so the machine cannot be saved");
  w.u64(clock_);
  pit_.saveState(w);
  pic_.saveState(w);
  for (uint8_t reg : {uartLcr_, uartIer_, uartScratch_, uartDll_, uartDlm_})
    w.u8(reg);
  w.boolean(exitCode_.has_value());
  w.u32(exitCode_.value_or(0));
  w.str(console_);
  w.blob(vga_);
}

void Platform::restoreState(snapshot::ByteReader &r) {
  clock_ = r.u64();
  pit_.restoreState(r);
  pic_.restoreState(r);
  for (uint8_t *reg : {&uartLcr_, &uartIer_, &uartScratch_, &uartDll_, &uartDlm_})
    *reg = r.u8();
  bool exited = r.boolean();
  uint32_t code = r.u32();
  exitCode_ = exited ? std::optional<uint32_t>(code) : std::nullopt;
  console_ = r.str("console text", 64u << 20);
  auto vga = r.blob("VGA memory", vga_.size());
  if (vga.size() != vga_.size())
    r.fail("VGA memory is " + std::to_string(vga.size()) + " bytes, not " +
           std::to_string(vga_.size()));
  vga_ = std::move(vga);
}

} // namespace ringside
