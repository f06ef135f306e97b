#include "emu/emu_backend.h"
#include "emu/nested_cpu.h"

#include "arch/exit_reasons.h"
#include "emu/boot_stub.h"
#include "emu/uc_state.h"
#include "emu/virtual_cpu.h"
#include "errors.h"
#include "guest/image_fit.h"
#include "platform/firmware_tables.h"
#include "platform/layout.h"
#include "util/hex.h"

#include <chrono>
#include <cstdlib>
#include <cstring>

namespace ringside::emu {
namespace {

constexpr uint64_t kNever = 1ull << 63; // never a linear PC: uc_emu_start's `until`
constexpr size_t kBlockCacheSlots = 4096;

size_t slotOf(uint64_t addr) { return (addr ^ (addr >> 12)) & (kBlockCacheSlots - 1); }

// RINGSIDE_DEBUG_EMU=1 prints why Unicorn stopped and which hooks ran (docs/emu-backend.md).
bool debugEmu() {
  static const bool on = std::getenv("RINGSIDE_DEBUG_EMU") != nullptr;
  return on;
}

} // namespace

EmuBackend::EmuBackend() = default;

EmuBackend::~EmuBackend() {
  stopWatchdog();
  mmu_.reset();
  if (uc_)
    uc_close(uc_);
}

Capabilities EmuBackend::capabilities() const {
  Capabilities caps;
  caps.exactInstructionCount = true;
  caps.deterministic = true;
  caps.realExitReasons = false;
  caps.modelledExits = true;
  caps.guestPageWalks = true;
  caps.canSingleStep = false;
  caps.paging32 = true;
  caps.snapshots = true;
  caps.dirtyLog = true;
  caps.description = "Unicorn " + std::to_string(uc_version(nullptr, nullptr) >> 24) + "." +
                     std::to_string((uc_version(nullptr, nullptr) >> 16) & 0xff) +
                     " emulation; VM exits are modelled (a VT-x monitor with KVM-like default "
                     "controls), not measured";
  return caps;
}

void EmuBackend::load(const GuestImage &image, const RunConfig &config) {
  if (config.ramMiB < 1 || config.ramMiB > 4096)
    throw InputError("--mem must be between 1 and 4096 MiB (got " + std::to_string(config.ramMiB) +
                     ")");
  checkImageFits(image, config.ramMiB << 20);
  if (image.entryMode == EntryMode::Real && image.entry > 0xFFFF)
    throw InputError(image.path + ": real-mode entry point " + hex(image.entry) +
                     " is above 0xFFFF (CS=0); load it lower or use --entry protected");
  const auto &offsets = ucStateOffsets();
  if (!offsets.failure.empty())
    throw InputError("the emu backend cannot run on this Unicorn build: " + offsets.failure);
  auto technique = findTechnique(config.virt);
  if (!technique || !techniqueInfo(*technique).built) {
    std::string built;
    for (const auto &t : techniques())
      if (t.built)
        built += (built.empty() ? "" : ", ") + std::string(t.name);
    throw InputError("--virt " + config.virt +
                     (technique ? " is not built yet" : " is not a technique") +
                     " (available: " + built + ")");
  }
  technique_ = *technique;
  image_ = image;
  config_ = config;
  resetMachine();
  loaded_ = true;
}

void EmuBackend::resetMachine() {
  mmu_.reset();
  if (uc_)
    uc_close(uc_);
  trace_.clear();
  intercepts_.clear();
  hooked_.clear();
  blockCache_.assign(kBlockCacheSlots, BlockSlot{});
  blockInfos_.assign(kBlockCacheSlots, BlockInfo{});
  eferCache_.reset();
  current_ = nullptr;
  icount_ = blockBase_ = 0;
  vcpu_.reset();
  deprivileged_ = kernelRing1_ = inVmm_ = false;
  viewDepth_ = 0;

  // A 64-bit engine seeded with a real-mode context: it starts like a PC and every register
  // stays readable, and the guest can still reach long mode (../shared/notes/unicorn.md A.1).
  uc_engine *u16 = nullptr;
  uc_open(UC_ARCH_X86, UC_MODE_16, &u16);
  uc_context *ctx = nullptr;
  uc_context_alloc(u16, &ctx);
  uc_context_save(u16, ctx);
  uc_open(UC_ARCH_X86, UC_MODE_64, &uc_);
  uc_context_restore(uc_, ctx);
  uc_context_free(ctx);
  uc_close(u16);

  ram_ = std::make_unique<GuestRam>(config_.ramMiB << 20);
  platform_.attachMemory(ram_.get()); // the virtio devices' queues live there
  for (const auto &seg : image_.segments)
    std::memcpy(ram_->data() + seg.gpa, seg.bytes.data(), seg.bytes.size());
  if (image_.entryMode != EntryMode::Real) {
    writeFirmwareTables(std::span<uint8_t>(ram_->data(), ram_->size()));
    auto stub = bootStubBytes();
    std::memcpy(ram_->data() + kBootStubBase, stub.data(), stub.size());
    uint16_t limit = static_cast<uint16_t>(8 * platformGdt().size() - 1);
    uint32_t base = layout::kPlatformGdt;
    std::memcpy(ram_->data() + kBootStubGdtr, &limit, 2);
    std::memcpy(ram_->data() + kBootStubGdtr + 2, &base, 4);
    std::memcpy(ram_->data() + kBootStubEntryPointer, &image_.entry, 8);
  }
  setupVmcs();
  resetNested();
  idle_ = 0;
  timerDeadline_ = ~0ull;
  interruptWatch_ = windowRequested_ = false;
  shadowSkip_ = ~0ull;
  mmu_ = std::make_unique<ShadowMmu>(
      uc_, *ram_, *this, [this](EventBody b) { record(std::move(b)); }, mmuOptions());
  installHooks();

  uint64_t sp = layout::kPlatformStackTop;
  setReg(UC_X86_REG_RSP, sp);
  setReg(UC_X86_REG_RFLAGS, 0x2);
  setReg(UC_X86_REG_RIP, image_.entryMode == EntryMode::Real   ? image_.entry
                         : image_.entryMode == EntryMode::Long ? kBootStubLongEntry
                                                               : kBootStubProtectedEntry);
  // The reset value of IDTR (base 0, limit 0xFFFF): a real-mode guest finds the IVT at 0.
  // The protected and long entry modes leave the limit at 0 (docs/platform.md).
  uc_x86_mmr idtr{0, 0, image_.entryMode == EntryMode::Real ? 0xFFFFu : 0u, 0};
  uc_reg_write(uc_, UC_X86_REG_IDTR, &idtr);
  guestCr0_ = reg(UC_X86_REG_CR0);
  guestCr3_ = reg(UC_X86_REG_CR3);
  guestCr4_ = reg(UC_X86_REG_CR4);
}

void EmuBackend::installHooks() {
  uc_hook h;
  uc_hook_add(uc_, &h, UC_HOOK_BLOCK, reinterpret_cast<void *>(blockHook), this, 1, 0);
  uc_hook_add(uc_, &h, UC_HOOK_INTR, reinterpret_cast<void *>(intrHook), this, 1, 0);
  uc_hook_add(uc_, &h, UC_HOOK_INSN_INVALID, reinterpret_cast<void *>(invalidHook), this, 1, 0);
  uc_hook_add(uc_, &h, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void *>(unmappedHook), this, 1, 0);
  uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void *>(inHook), this, 1, 0, UC_X86_INS_IN);
  uc_hook_add(uc_, &h, UC_HOOK_INSN, reinterpret_cast<void *>(outHook), this, 1, 0, UC_X86_INS_OUT);
}

uint64_t EmuBackend::countNow() const {
  // Inside uc_emu_start the count already includes the whole current block; events from
  // hooks there are stamped with the count at the block's start, so counts never go back.
  return inEmulation_ ? blockBase_ : icount_;
}

void EmuBackend::record(EventBody body) {
  if (!recording_)
    return;
  // Native: the guest is alone on the machine; there is no VMM to exit to. Trap and bt have a
  // VMM but no VT-x: their VMM transitions are `trap` events.
  if ((technique_ == Technique::Native || technique_ == Technique::Trap ||
       technique_ == Technique::Bt) &&
      (std::holds_alternative<ExitEvent>(body) || std::holds_alternative<EntryEvent>(body) ||
       (std::holds_alternative<VmcsEvent>(body) && std::get<VmcsEvent>(body).region == kVmmVmcs)))
    return;
  trace_.record(countNow(), std::move(body));
}

uc_err EmuBackend::emulate() {
  blockBase_ = icount_;
  current_ = nullptr;
  // Unicorn's #DF latch may still hold a page fault it raised while filling its TLB from the
  // shadow tables and dealt with without any hook (uc_state.h); left armed, the guest's next
  // fault would arrive as #DF, then as a silent triple-fault reset. The guest never resumes
  // with an exception in progress. With guest paging off Unicorn's TLB fills cannot fault.
  if (mmu_->pagingOn())
    disarmExceptionLatch(uc_);
  inEmulation_ = true;
  uc_err err = uc_emu_start(uc_, reg(UC_X86_REG_RIP), kNever, 0, 0);
  inEmulation_ = false;
  return err;
}

void EmuBackend::finish(StopKind kind, int64_t code, std::string message) {
  if (stopped_)
    return;
  stopped_ = true;
  result_.stop = StopEvent{kind, code, std::move(message)};
  recording_ = true;
  record(result_.stop);
}

RunResult EmuBackend::run() {
  if (!loaded_)
    throw InputError("no guest loaded");
  stopped_ = false;
  result_ = RunResult{};
  budget_ = config_.maxInstructions ? config_.maxInstructions : ~0ull;
  startWatchdog();
  bool booted = true;
  if (resumed_) {
    // A guest stopped at its budget, or restored from a snapshot: the monitor's loop simply
    // goes on (emu_snapshot.cpp).
    resumed_ = false;
    recording_ = true;
    runUntilStop(kNever);
    booted = false;
  } else if (image_.entryMode != EntryMode::Real) {
    // Firmware phase: the boot stub brings the CPU to the entry state; nothing is recorded.
    recording_ = std::getenv("RINGSIDE_TRACE_FIRMWARE") != nullptr; // for debugging the stub
    uint64_t saveBudget = budget_;
    budget_ = ~0ull;
    booted = runUntilStop(image_.entry);
    budget_ = saveBudget;
    if (!booted && !stopped_)
      finish(StopKind::Error, 0, "internal: the boot stub did not reach the entry point");
  }
  if (booted && !stopped_) {
    startGuest();
    runUntilStop(kNever);
  }
  stopWatchdog();
  if (deprivileged_)
    restoreVirtual(); // the guest's own view of its CPU is the result
  result_.instructions = icount_;
  result_.regs = guestRegs();
  return result_;
}

void EmuBackend::startGuest() {
  icount_ = blockBase_ = 0;
  current_ = nullptr;
  stateDirty_ = true;
  syncGuestState();           // the state VMLAUNCH starts from: in the VMCS, not a change to record
  mmu_->resetModelCounters(); // the boot stub's walks are firmware, like its unrecorded events
  recording_ = true;
  if (technique_ == Technique::Trap || technique_ == Technique::Bt) {
    vcpu_ = std::make_unique<VirtualCpu>();
    uc_reg_read(uc_, UC_X86_REG_TR, &vcpu_->vmmTr);
    // Blocks scanned during the firmware phase are scanned again for what trap and bt watch.
    blockCache_.assign(kBlockCacheSlots, BlockSlot{});
    settle(); // a guest kernel starts at ring 1
  }
  uint8_t level = cpl();
  record(RingEvent{level, level, RingCause::Start, reg(UC_X86_REG_RIP)});
  // The VMM's VMWRITEs before its first VMLAUNCH: every field it set, so a view of the VMCS
  // can be rebuilt from the trace alone.
  for (const auto &[encoding, value] : vmcs_.values())
    if (value)
      record(VmcsEvent{encoding, 0, value});
  record(EntryEvent{reg(UC_X86_REG_RIP), false, 0});
}

// The monitor loop: run the guest until something needs the monitor, handle it, resume.
// Returns true when the boot target was reached (firmware phase), false when stopped.
bool EmuBackend::runUntilStop(uint64_t bootTarget) {
  bootTarget_ = bootTarget;
  if (bootTarget != kNever)
    ensureHook(bootTarget);
  while (!stopped_) {
    if (timedOut_ || stopRequested_) {
      finish(StopKind::Timeout, 0,
             "stopped after " + std::to_string(config_.timeoutSeconds) + " s (--timeout)");
      return false;
    }
    if (icount_ >= budget_) {
      finish(StopKind::Budget, 0,
             "instruction budget of " + std::to_string(budget_) + " reached (--max-insns)");
      return false;
    }
    pending_ = Pending{};
    uint64_t startPc = linearPc(), startCount = icount_;
    uc_err err = emulate();
    if (pending_.kind != Pending::Kind::None)
      noProgress_ = 0;
    if (debugEmu())
      std::fprintf(stderr, "stop kind=%d linear=%llx vec=%d rip=%llx icount=%llu err=%d\n",
                   (int)pending_.kind, (unsigned long long)pending_.linear, pending_.vector,
                   (unsigned long long)reg(UC_X86_REG_RIP), (unsigned long long)icount_, (int)err);
    switch (pending_.kind) {
    case Pending::Kind::ResumePoint:
      syncInstructionCount(pending_.linear);
      if (pending_.linear == bootTarget) {
        bootTarget_ = kNever;
        return true;
      }
      continue; // a resume point left over from an earlier step: keep going
    case Pending::Kind::Intercept:
      syncInstructionCount(pending_.linear);
      if (!handleIntercept(pending_.linear))
        return false;
      continue;
    case Pending::Kind::Exception:
      syncInstructionCount(linearPc());
      if (!handleException(pending_.vector))
        return false;
      continue;
    case Pending::Kind::Interrupt: {
      uint64_t pc = linearPc();
      syncInstructionCount(pc);
      // A second stop at the same point with nothing retired in between: let the block run,
      // so a check that cannot succeed yet never stalls the guest.
      if (pc == lastInterruptPc_ && icount_ == lastInterruptCount_) {
        shadowSkip_ = pc;
        continue;
      }
      lastInterruptPc_ = pc;
      lastInterruptCount_ = icount_;
      if (!serviceInterrupts())
        return false;
      continue;
    }
    case Pending::Kind::InvalidOpcode:
      syncInstructionCount(linearPc());
      if (!handleException(6))
        return false;
      continue;
    case Pending::Kind::Error:
      finish(StopKind::Error, 0, pending_.error);
      return false;
    case Pending::Kind::None:
      break;
    }
    if (err != UC_ERR_OK) {
      finish(StopKind::Error, 0,
             std::string("emulation failed: ") + uc_strerror(err) +
                 " at rip=" + hex(reg(UC_X86_REG_RIP)));
      return false;
    }
    // Stopped by the watchdog or the budget (checked at the top), or a HLT that ran natively
    // because its code changed after it was scanned.
    uint64_t pc = linearPc();
    if (timedOut_ || stopRequested_ || icount_ >= budget_)
      continue; // the checks at the top of the loop end the run
    uint8_t prev = 0;
    if (pc != startPc && pc > 0 && mmu_->readLinear(pc - 1, &prev, 1) && prev == 0xF4) {
      record(ExitEvent{exit_reason::Hlt, 0, reg(UC_X86_REG_RIP) - 1, 1});
      finish(StopKind::Hlt, 0, "the guest halted");
      return false;
    }
    // Unicorn returned for no reason we asked for. Seen with 2.0.1: an instruction fetch
    // through a shadow entry that is not present gives up without calling any hook, and it
    // arms the #DF latch, so later faults would become #DF and then a silent reset request.
    // Undo the count of a block that did not run, disarm the latch, fill the page, retry.
    if (pc == startPc)
      icount_ = startCount;
    else
      noProgress_ = 0;
    clearExceptionLatch(uc_);
    std::string error;
    Access fetch{false, cpl() == 3, true};
    if (++noProgress_ > 3 || !mmu_->handleUnmapped(pc, fetch, error)) {
      finish(StopKind::Error, 0,
             error.empty() ? "internal: emulation makes no progress at rip=" + hex(pc) : error);
      return false;
    }
  }
  return false;
}

void EmuBackend::ensureHook(uint64_t linear) {
  if (!hooked_.insert(linear).second)
    return;
  uc_hook h;
  uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void *>(codeHook), this, linear, linear);
  // Blocks already translated do not contain the new hook: drop them.
  uc_ctl_remove_cache(uc_, linear, linear + 1);
}

void EmuBackend::syncInstructionCount(uint64_t linearPc) {
  if (!current_ || linearPc < current_->addr || linearPc >= current_->addr + current_->size)
    return;
  const auto &offsets = blockInfos_[current_->info].offsets;
  uint64_t off = linearPc - current_->addr;
  uint64_t index = std::lower_bound(offsets.begin(), offsets.end(), off) - offsets.begin();
  icount_ = blockBase_ + index;
}

void EmuBackend::blockMiss(uint64_t addr, uint32_t size, BlockSlot &slot) {
  std::vector<uint8_t> bytes(size);
  if (size && uc_mem_read(uc_, addr, bytes.data(), size) != UC_ERR_OK)
    bytes.clear();
  std::vector<std::pair<uint16_t, InsnClass>> sensitive;
  // Each slot owns one BlockInfo, so blocks that keep evicting each other cost decoding
  // time but never memory.
  BlockInfo &info = blockInfos_[&slot - blockCache_.data()];
  CodeMode mode = codeMode();
  info.offsets = decoder_.split(mode, bytes.data(), bytes.size(), &sensitive);
  bool added = false;
  scanSensitive(addr, info.offsets, added);
  for (auto [off, cls] : sensitive) {
    uint64_t site = addr + off;
    // Keep the decoded instruction: the monitor needs its operands at every exit there.
    intercepts_[site] = Intercept{cls, decoder_.decode(mode, bytes.data() + off, size - off)};
    if (!hooked_.count(site)) {
      ensureHook(site);
      added = true;
    }
  }
  slot.addr = addr;
  slot.size = size;
  slot.count = static_cast<uint32_t>(info.offsets.size());
  slot.info = static_cast<uint32_t>(&slot - blockCache_.data());
  if (added) {
    // Re-translate this block with its new hooks: restart it from its first instruction.
    uc_ctl_remove_cache(uc_, addr, addr + size);
    setReg(UC_X86_REG_RIP, reg(UC_X86_REG_RIP));
    slot.addr = ~0ull; // count it when it runs again
  }
}

void EmuBackend::onBlock(uint64_t addr, uint32_t size) {
  if (debugEmu())
    std::fprintf(stderr, "  block 0x%llx size %u\n", static_cast<unsigned long long>(addr), size);
  if (stopAtBlock_ && addr != stepping_) {
    // A control transfer the VMM stepped for the guest has landed: stop before running on.
    stopAtBlock_ = false;
    pending_.kind = Pending::Kind::ResumePoint;
    pending_.linear = addr;
    uc_emu_stop(uc_);
    return;
  }
  // The budget is spent: stop before this block runs (a stop requested in the block hook
  // keeps the block from executing), so the count at a budget stop is exact and a snapshot
  // taken there continues with this block (emu_snapshot.cpp).
  if (icount_ >= budget_) {
    current_ = nullptr;
    uc_emu_stop(uc_);
    return;
  }
  BlockSlot &slot = blockCache_[slotOf(addr)];
  if (slot.addr != addr || slot.size != size) {
    blockMiss(addr, size, slot);
    if (slot.addr != addr)
      return;
  }
  if (kernelRing1_ && technique_ == Technique::Bt && !inVmm_ && cpl() == 1)
    translationLookup(addr);
  blockBase_ = icount_;
  icount_ += slot.count;
  current_ = &slot;
  if (ringCheck_ && --ringCheck_ == 0) {
    markDescriptorAccessed(static_cast<uint16_t>(reg(UC_X86_REG_CS)));
    stateDirty_ = true;
    uint8_t now = cpl();
    if (now != ringBefore_)
      record(RingEvent{ringBefore_, now, ringCause_, reg(UC_X86_REG_RIP)});
    stepping_ = ~0ull;
  }
  // The timer is due, or an interrupt (or a nested window exit) waits for RFLAGS.IF = 1,
  // which only changes at the end of a block (STI, POPF and IRET end QEMU's blocks).
  if (blockBase_ + idle_ >= timerDeadline_ ||
      (interruptWatch_ && addr != shadowSkip_ && (reg(UC_X86_REG_RFLAGS) & (1u << 9)))) {
    pending_.kind = Pending::Kind::Interrupt;
    uc_emu_stop(uc_);
  }
}

void EmuBackend::onCode(uint64_t addr) {
  if (addr == stepping_)
    return;
  if (addr == stopAfter_ || addr == bootTarget_) {
    pending_.kind = Pending::Kind::ResumePoint;
    pending_.linear = addr;
    uc_emu_stop(uc_);
    return;
  }
  auto it = intercepts_.find(addr);
  if (it == intercepts_.end())
    return;
  pending_.kind = Pending::Kind::Intercept;
  pending_.linear = addr;
  uc_emu_stop(uc_);
}

void EmuBackend::blockHook(uc_engine *, uint64_t addr, uint32_t size, void *self) {
  static_cast<EmuBackend *>(self)->onBlock(addr, size);
}

void EmuBackend::codeHook(uc_engine *, uint64_t addr, uint32_t, void *self) {
  static_cast<EmuBackend *>(self)->onCode(addr);
}

void EmuBackend::intrHook(uc_engine *uc, uint32_t intno, void *self) {
  auto *b = static_cast<EmuBackend *>(self);
  // Read now: Unicorn retries the faulting instruction before it honours the stop, and the
  // retry overwrites the error code (read-only here: restoring a context in a hook is unsafe).
  b->pending_.errorCode = UcStateEditor(uc).errorCode();
  if (debugEmu())
    std::fprintf(stderr, "  intr hook: vector %u, error code 0x%x\n", intno, b->pending_.errorCode);
  b->pending_.kind = Pending::Kind::Exception;
  b->pending_.vector = static_cast<uint8_t>(intno);
  if (intno == 14)
    b->pending_.cr2 = b->reg(UC_X86_REG_CR2);
  uc_emu_stop(uc);
}

bool EmuBackend::invalidHook(uc_engine *uc, void *self) {
  auto *b = static_cast<EmuBackend *>(self);
  b->pending_.kind = Pending::Kind::InvalidOpcode;
  uc_emu_stop(uc);
  return true;
}

bool EmuBackend::unmappedHook(uc_engine *uc, uc_mem_type type, uint64_t addr, int, int64_t,
                              void *self) {
  auto *b = static_cast<EmuBackend *>(self);
  Access access;
  access.write = type == UC_MEM_WRITE_UNMAPPED;
  access.fetch = type == UC_MEM_FETCH_UNMAPPED;
  access.user = b->cpl() == 3;
  if (debugEmu())
    std::fprintf(stderr, "  unmapped hook: type %d at 0x%llx\n", static_cast<int>(type),
                 static_cast<unsigned long long>(addr));
  std::string error;
  // With paging on, QEMU walked the shadow and raised #PF (arming the #DF latch) before
  // Unicorn turned the fault into this hook. Restoring a context inside a hook is not safe,
  // so the latch stays armed until the next uc_emu_start (emulate()); a #DF it causes before
  // then is undone by handleException.
  if (b->mmu_->handleUnmapped(addr, access, error))
    return true;
  b->pending_.kind = Pending::Kind::Error;
  b->pending_.error = error;
  uc_emu_stop(uc);
  return false;
}

uint32_t EmuBackend::inHook(uc_engine *, uint32_t port, int size, void *self) {
  auto *b = static_cast<EmuBackend *>(self);
  b->platform_.advanceClock(b->clock());
  uint32_t value =
      b->platform_.portRead(b->countNow(), static_cast<uint16_t>(port), static_cast<uint8_t>(size));
  b->record(IoEvent{static_cast<uint16_t>(port), static_cast<uint8_t>(size), false, value, 1,
                    b->stepRip_});
  return value;
}

void EmuBackend::outHook(uc_engine *, uint32_t port, int size, uint32_t value, void *self) {
  auto *b = static_cast<EmuBackend *>(self);
  b->record(IoEvent{static_cast<uint16_t>(port), static_cast<uint8_t>(size), true, value, 1,
                    b->stepRip_});
  b->platform_.advanceClock(b->clock());
  b->platform_.portWrite(b->countNow(), static_cast<uint16_t>(port), static_cast<uint8_t>(size),
                         value);
  b->refreshTimer();
}

uint64_t EmuBackend::mmioRead(uint64_t gpa, unsigned size) {
  deviceAccess(gpa, false);
  uint64_t value = platform_.mmioRead(gpa, static_cast<uint8_t>(size));
  record(MmioEvent{gpa, static_cast<uint8_t>(size), false, value,
                   static_cast<uint8_t>(platform_.deviceAt(gpa))});
  return value;
}

void EmuBackend::mmioWrite(uint64_t gpa, unsigned size, uint64_t value) {
  deviceAccess(gpa, true);
  record(MmioEvent{gpa, static_cast<uint8_t>(size), true, value,
                   static_cast<uint8_t>(platform_.deviceAt(gpa))});
  platform_.mmioWrite(gpa, static_cast<uint8_t>(size), value);
}

bool EmuBackend::readGuestPhysical(uint64_t gpa, void *dst, size_t n) const {
  // The guest's bytes are in ram_ whatever Unicorn maps: the shadow MMU aliases the same buffer.
  return ram_ && ram_->read(gpa, dst, n);
}

void EmuBackend::requestStop() {
  stopRequested_ = true;
  if (uc_)
    uc_emu_stop(uc_);
}

void EmuBackend::startWatchdog() {
  timedOut_ = false;
  stopRequested_ = false;
  running_ = true;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                      std::chrono::duration<double>(config_.timeoutSeconds));
  watchdog_ = std::thread([this, deadline] {
    std::unique_lock lock(watchdogMutex_);
    while (running_) {
      auto now = std::chrono::steady_clock::now();
      if (config_.timeoutSeconds > 0 && now >= deadline)
        timedOut_ = true;
      // uc_emu_stop is ignored while the monitor works between two uc_emu_start calls, so
      // keep asking until the run loop has seen the flag and returned.
      bool stopping = timedOut_ || stopRequested_;
      if (stopping)
        uc_emu_stop(uc_);
      auto wake = stopping                     ? now + std::chrono::milliseconds(5)
                  : config_.timeoutSeconds > 0 ? deadline
                                               : now + std::chrono::milliseconds(50);
      watchdogWake_.wait_until(lock, wake, [this] { return !running_; });
    }
  });
}

void EmuBackend::stopWatchdog() {
  {
    std::lock_guard lock(watchdogMutex_);
    running_ = false;
  }
  watchdogWake_.notify_all();
  if (watchdog_.joinable())
    watchdog_.join();
}

} // namespace ringside::emu
