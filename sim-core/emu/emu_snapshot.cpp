// Snapshots of the emu backend (docs/snapshots.md). The machine is captured between two
// uc_emu_start calls, where the monitor holds no half-done work: Unicorn's CPU context (QEMU's
// CPUX86State as uc_context_save copies it; in 2.0.1 it holds no pointers), guest RAM, the
// VMCS model, the platform's devices, the virtual clock and the monitor's own bookkeeping.
// Translation caches (Unicorn's TBs, the block table, intercept sites) are rebuilt on demand.
#include "emu/emu_backend.h"
#include "emu/nested_cpu.h"

#include "errors.h"
#include "snapshot/byte_io.h"
#include "util/hex.h"

#include <cstring>

namespace ringside::emu {
namespace {

using snapshot::ByteReader;
using snapshot::ByteWriter;

// The uc_context allocation is a 16-byte header (size, mode, arch) and then the CPU state;
// the header's first word is the state's size.
std::vector<uint8_t> saveCpuContext(uc_engine *uc) {
  uc_context *ctx = nullptr;
  uc_context_alloc(uc, &ctx);
  uc_context_save(uc, ctx);
  size_t total = uc_context_size(uc), data = 0;
  std::memcpy(&data, ctx, sizeof data);
  const auto *bytes = reinterpret_cast<const uint8_t *>(ctx);
  std::vector<uint8_t> out(bytes + (total - data), bytes + total);
  uc_context_free(ctx);
  return out;
}

void restoreCpuContext(uc_engine *uc, const std::vector<uint8_t> &state, ByteReader &r) {
  uc_context *ctx = nullptr;
  uc_context_alloc(uc, &ctx);
  uc_context_save(uc, ctx);
  size_t total = uc_context_size(uc), data = 0;
  std::memcpy(&data, ctx, sizeof data);
  if (state.size() != data) {
    uc_context_free(ctx);
    r.fail("the CPU context is " + std::to_string(state.size()) +
           " bytes; this Unicorn build's is " + std::to_string(data) +
           " (a snapshot from another Unicorn version)");
  }
  std::memcpy(reinterpret_cast<uint8_t *>(ctx) + (total - data), state.data(), data);
  uc_context_restore(uc, ctx);
  uc_context_free(ctx);
}

} // namespace

snapshot::MachineState EmuBackend::saveState() const {
  if (!loaded_)
    throw InputError("snapshot: no guest loaded");
  if (!stopped_ || result_.stop.kind != StopKind::Budget)
    throw InputError("snapshot: the guest must be stopped at its instruction budget (--at-insn); "
                     "it is " +
                     std::string(stopped_ ? stopKindName(result_.stop.kind) : "not started"));
  if (vmx_ && vmx_->inVmxOperation())
    throw InputError("snapshot: the guest is running its own hypervisor (VMXON): the nested "
                     "VMX state is not part of the snapshot format yet");
  if (technique_ == Technique::Trap || technique_ == Technique::Bt)
    throw InputError("snapshot: --virt " + config_.virt +
                     " keeps a virtual CPU and a translation cache that format version 1 does "
                     "not hold; snapshot a vtx, native or pv run");
  snapshot::MachineState s;
  s.backend = "emu";
  s.imagePath = image_.path;
  s.entry = image_.entry;
  s.entryMode = static_cast<uint8_t>(image_.entryMode);
  s.ramMiB = config_.ramMiB;
  s.virt = config_.virt;
  s.instructions = icount_;
  // The budget's stop event is not part of the machine's history: the continuation takes
  // the seq numbers an uninterrupted run would have given.
  s.nextSeq = trace_.size() ? trace_.size() - 1 : 0;
  s.ram.assign(ram_->data(), ram_->data() + ram_->size());

  ByteWriter cpu;
  cpu.blob(saveCpuContext(uc_));
  for (uint64_t v : {guestCr0_, guestCr2_, guestCr3_, guestCr4_, featureControl_})
    cpu.u64(v);
  cpu.boolean(stateDirty_);
  for (uint64_t v : synced_)
    cpu.u64(v);
  s.sections["CPU "] = cpu.take();

  ByteWriter mon;
  mon.u32(static_cast<uint32_t>(ringCheck_));
  mon.u8(ringBefore_);
  mon.u8(static_cast<uint8_t>(ringCause_));
  for (uint64_t v : {stepping_, stopAfter_, shadowSkip_, lastInterruptPc_, lastInterruptCount_,
                     lastFaultCr2_, stepRip_})
    mon.u64(v);
  mon.u32(static_cast<uint32_t>(hiddenFaultStreak_));
  mon.u32(static_cast<uint32_t>(spuriousDoubleFaults_));
  s.sections["MON "] = mon.take();

  ByteWriter vm;
  auto values = vmcs_.values();
  vm.u32(static_cast<uint32_t>(values.size()));
  for (const auto &[encoding, value] : values) {
    vm.u32(encoding);
    vm.u64(value);
  }
  vm.raw(vmcs_.ioBitmapA());
  vm.raw(vmcs_.ioBitmapB());
  vm.raw(vmcs_.msrBitmap());
  vm.boolean(vmcs_.vmwriteAnyField());
  s.sections["VMCS"] = vm.take();

  ByteWriter clk;
  for (uint64_t v : {icount_, idle_, timerDeadline_})
    clk.u64(v);
  clk.boolean(interruptWatch_);
  clk.boolean(windowRequested_);
  s.sections["CLCK"] = clk.take();

  ByteWriter devs;
  platform_.saveState(devs);
  s.sections["DEVS"] = devs.take();
  return s;
}

void EmuBackend::restoreState(const snapshot::MachineState &s, const RunConfig &config) {
  if (s.backend != "emu")
    throw InputError("snapshot: taken on the " + s.backend +
                     " backend; restore it with --backend " + s.backend);
  GuestImage image;
  image.path = s.imagePath;
  image.entry = s.entry;
  if (s.entryMode > static_cast<uint8_t>(EntryMode::Long))
    throw snapshot::SnapshotError("snapshot section 'META': entry mode " +
                                  std::to_string(s.entryMode) + " is unknown");
  image.entryMode = static_cast<EntryMode>(s.entryMode);
  // One byte at the entry point satisfies the image checks; RAM is replaced below.
  if (s.entry < (s.ramMiB << 20))
    image.segments.push_back(ImageSegment{s.entry, {0x90}, 1});
  RunConfig c = config;
  c.ramMiB = s.ramMiB;
  c.virt = s.virt;
  load(image, c); // a fresh machine of the same shape; everything below overwrites it
  if (s.ram.size() != ram_->size())
    throw snapshot::SnapshotError("snapshot: RAM is " + std::to_string(s.ram.size()) +
                                  " bytes, the machine has " + std::to_string(ram_->size()));
  std::memcpy(ram_->data(), s.ram.data(), s.ram.size());

  ByteReader cpu(s.section("CPU ", "emu snapshot"), "snapshot section 'CPU '");
  auto context = cpu.blob("CPU context", 1u << 20);
  restoreCpuContext(uc_, context, cpu);
  for (uint64_t *v : {&guestCr0_, &guestCr2_, &guestCr3_, &guestCr4_, &featureControl_})
    *v = cpu.u64();
  stateDirty_ = cpu.boolean();
  for (uint64_t &v : synced_)
    v = cpu.u64();
  cpu.expectEnd();

  ByteReader mon(s.section("MON ", "emu snapshot"), "snapshot section 'MON '");
  ringCheck_ = static_cast<int>(mon.u32());
  ringBefore_ = mon.u8();
  uint8_t cause = mon.u8();
  if (cause > static_cast<uint8_t>(RingCause::FarTransfer))
    mon.fail("ring cause " + std::to_string(cause) + " is unknown");
  ringCause_ = static_cast<RingCause>(cause);
  for (uint64_t *v : {&stepping_, &stopAfter_, &shadowSkip_, &lastInterruptPc_,
                      &lastInterruptCount_, &lastFaultCr2_, &stepRip_})
    *v = mon.u64();
  hiddenFaultStreak_ = static_cast<int>(mon.u32());
  spuriousDoubleFaults_ = static_cast<int>(mon.u32());
  mon.expectEnd();

  ByteReader vm(s.section("VMCS", "emu snapshot"), "snapshot section 'VMCS'");
  uint32_t count = vm.u32();
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t encoding = vm.u32();
    uint64_t value = vm.u64();
    if (!vmcs_.set(encoding, value))
      vm.fail("VMCS field encoding " + hex(encoding) + " is not in the field table");
  }
  for (Vmcs::Bitmap *b : {&vmcs_.ioBitmapA(), &vmcs_.ioBitmapB(), &vmcs_.msrBitmap()}) {
    auto bytes = vm.raw(Vmcs::kBitmapBytes, "a VMCS bitmap page");
    std::memcpy(b->data(), bytes.data(), Vmcs::kBitmapBytes);
  }
  vmcs_.setVmwriteAnyField(vm.boolean());
  vm.expectEnd();

  ByteReader clk(s.section("CLCK", "emu snapshot"), "snapshot section 'CLCK'");
  for (uint64_t *v : {&icount_, &idle_, &timerDeadline_})
    *v = clk.u64();
  interruptWatch_ = clk.boolean();
  windowRequested_ = clk.boolean();
  clk.expectEnd();
  if (icount_ != s.instructions)
    throw snapshot::SnapshotError("snapshot: META says " + std::to_string(s.instructions) +
                                  " instructions, section 'CLCK' says " + std::to_string(icount_));

  ByteReader devs(s.section("DEVS", "emu snapshot"), "snapshot section 'DEVS'");
  platform_.restoreState(devs);
  devs.expectEnd();

  // A resume point the monitor left armed keeps its code hook, as in the original engine.
  if (stopAfter_ != ~0ull)
    ensureHook(stopAfter_);
  // The shadow MMU starts empty, as after a CR3 load: paged guests refill it on first touch.
  eferCache_.reset();
  mmu_->setGuestPaging(guestPaging());
  blockBase_ = icount_;
  trace_.clear();
  trace_.setNextSeq(s.nextSeq);
  stopped_ = false;
  resumed_ = true;
}

RunResult EmuBackend::resume(uint64_t totalInstructions) {
  if (!loaded_ || !stopped_ || result_.stop.kind != StopKind::Budget)
    throw InputError("resume: the guest is not stopped at its instruction budget");
  config_.maxInstructions = totalInstructions;
  resumed_ = true;
  return run();
}

} // namespace ringside::emu
