// Trap-and-emulate and binary translation on the emu backend (--virt trap|bt,
// docs/techniques.md). The guest kernel really runs at CPL 1: the VMM reloads CS and SS with
// RPL/DPL 1 through the saved CPU context, and keeps the state the guest believes in (IF,
// IOPL, GDTR, IDTR, LDTR, TR, CR0-4) in a virtual CPU. The real CPU meanwhile holds the VMM's
// tables: a copy of the guest GDT with DPL 0 descriptors made DPL 1, the VMM's IDT, its TR.
// - trap: privileged instructions fault (#GP) at ring 1 and the VMM emulates them on the
//   virtual state; sensitive-but-unprivileged ones run without a trap and are only observed
//   (a `leak` when the guest saw something native execution would not give).
// - bt: every sensitive instruction of a guest-kernel block is rewritten into a VMM callout
//   (emu_bt.cpp keeps the translation cache).
#include "arch/exit_reasons.h"
#include "cpu/descriptors.h"
#include "emu/emu_backend.h"
#include "emu/sensitive_insns.h"
#include "emu/uc_state.h"
#include "emu/virtual_cpu.h"

#include <cstring>

namespace ringside::emu {
namespace {

constexpr uint64_t kIf = 1u << 9, kIopl = 3u << 12, kZf = 1u << 6;
constexpr uint32_t kDplMask = 3u << 13;

uint32_t withDpl(uint32_t flags, unsigned dpl) { return (flags & ~kDplMask) | (dpl << 13); }

// Instructions of the monitor's scan that fault at CPL 1 (the others run at any CPL).
bool privilegedClass(InsnClass c) {
  switch (c) {
  case InsnClass::Hlt:
  case InsnClass::MovToCr:
  case InsnClass::MovFromCr:
  case InsnClass::Rdmsr:
  case InsnClass::Wrmsr:
  case InsnClass::Invlpg:
  case InsnClass::Clts:
  case InsnClass::Lmsw:
  case InsnClass::Invd:
  case InsnClass::Xsetbv:
    return true;
  default:
    return false;
  }
}

bool ioClass(InsnClass c) {
  return c == InsnClass::In || c == InsnClass::Out || c == InsnClass::StringIo;
}

// What LAR/LSL/VERR/VERW give at CPL 0 for `selector` (SDM vol. 2): (ZF << 32) | value.
// nullopt when it depends on something the VMM does not model (an LDT selector).
std::optional<uint64_t> nativeSegmentCheck(Leak kind, uint16_t selector, uint64_t raw, bool inTable,
                                           bool longMode) {
  if (selector & 4)
    return std::nullopt;
  if ((selector & ~3u) == 0 || !inTable)
    return 0;
  uint32_t high = static_cast<uint32_t>(raw >> 32);
  bool s = high & (1u << 12), present = high & (1u << 15);
  unsigned type = (high >> 8) & 0xF, dpl = (high >> 13) & 3, rpl = selector & 3;
  bool code = s && (type & 8), conforming = code && (type & 4);
  bool privOk = conforming || dpl >= rpl; // dpl >= CPL 0 always
  switch (kind) {
  case Leak::Lar: {
    bool typeOk = s || (longMode ? (type == 2 || type == 9 || type == 0xB || type == 0xC)
                                 : (type != 0 && type != 8 && type != 0xA && type != 0xD &&
                                    type != 0xE && type != 0xF) ||
                                       type == 0xC);
    if (!typeOk || !privOk)
      return 0;
    return (1ull << 32) | (high & 0x00F0FF00u);
  }
  case Leak::Lsl: {
    bool typeOk =
        s || type == 2 || type == 9 || type == 0xB || (!longMode && (type == 1 || type == 3));
    if (!typeOk || !privOk)
      return 0;
    return (1ull << 32) | decodeSegmentDescriptor(raw).limit;
  }
  case Leak::Verr:
    return (s && present && (!code || (type & 2)) && privOk) ? 1ull << 32 : 0;
  case Leak::Verw:
    return (s && present && !code && (type & 2) && privOk) ? 1ull << 32 : 0;
  default:
    return std::nullopt;
  }
}

} // namespace

// After the monitor worked on the guest: the real CPU gets the VMM's state back, and a guest
// (still, or now) in its kernel goes back to ring 1. User code keeps its own ring 3.
void EmuBackend::settle() {
  if (!vcpu_ || deprivileged_ || stopped_ || !(reg(UC_X86_REG_CR0) & 1))
    return;
  deprivilege();
}

void EmuBackend::deprivilege() {
  VirtualCpu &v = *vcpu_;
  uint64_t flags = reg(UC_X86_REG_RFLAGS);
  v.iflag = flags & kIf;
  v.iopl = static_cast<uint8_t>((flags >> 12) & 3);
  uc_reg_read(uc_, UC_X86_REG_GDTR, &v.gdtr);
  uc_reg_read(uc_, UC_X86_REG_IDTR, &v.idtr);
  uc_reg_read(uc_, UC_X86_REG_LDTR, &v.ldtr);
  uc_reg_read(uc_, UC_X86_REG_TR, &v.tr);
  uint64_t cr0 = reg(UC_X86_REG_CR0);
  v.cr0Low = cr0 & kVmmCr0Bits;

  // The VMM's GDT: the guest's, with its DPL 0 code and data descriptors made DPL 1 so the
  // deprivileged kernel can still load them. Only without paging, where the copy's address
  // is reachable; with paging on the guest's own table stays (and its loads trap).
  if (!mmu_->pagingOn() && v.gdtr.limit < kVmmGdtBytes) {
    std::vector<uint8_t> table(v.gdtr.limit + 1u);
    if (mmu_->readLinear(v.gdtr.base, table.data(), table.size())) {
      for (size_t off = 0; off + 8 <= table.size(); off += 8) {
        uint64_t d;
        std::memcpy(&d, &table[off], 8);
        bool s = d & (1ull << 44);
        if (s && ((d >> 45) & 3) == 0)
          d |= 1ull << 45;
        std::memcpy(&table[off], &d, 8);
      }
      ram_->write(kVmmGdt, table.data(), table.size());
      uc_x86_mmr gdtr{0, kVmmGdt, v.gdtr.limit, 0};
      uc_reg_write(uc_, UC_X86_REG_GDTR, &gdtr);
    }
  }
  uc_x86_mmr idtr{0, kVmmIdt, kVmmIdtLimit, 0}, ldtr{};
  uc_reg_write(uc_, UC_X86_REG_IDTR, &idtr);
  uc_reg_write(uc_, UC_X86_REG_LDTR, &ldtr);
  uc_reg_write(uc_, UC_X86_REG_TR, &v.vmmTr);
  setReg(UC_X86_REG_CR0, cr0 | kVmmCr0Bits);
  // Interrupts stay on for the VMM; the guest's IF is virtual.
  setReg(UC_X86_REG_RFLAGS, (flags | kIf) & ~kIopl);

  deprivileged_ = true;
  kernelRing1_ = cpl() == 0;
  if (kernelRing1_) {
    UcStateEditor state(uc_);
    SegmentCache cs = state.segment(SegIndex::Cs), ss = state.segment(SegIndex::Ss);
    cs.selector |= 1;
    cs.flags = withDpl(cs.flags, 1);
    ss.selector |= 1;
    ss.flags = withDpl(ss.flags, 1);
    state.loadSegment(SegIndex::Cs, cs);
    state.loadSegment(SegIndex::Ss, ss); // sets the CPL to 1
    state.commit();
  }
  stateDirty_ = true;
}

void EmuBackend::restoreVirtual() {
  const VirtualCpu &v = *vcpu_;
  // The kernel left ring 1 by itself (an IRET or far transfer to ring 3 ran there).
  if (kernelRing1_ && cpl() == 1) {
    UcStateEditor state(uc_);
    SegmentCache cs = state.segment(SegIndex::Cs), ss = state.segment(SegIndex::Ss);
    cs.selector &= ~3;
    cs.flags = withDpl(cs.flags, 0);
    ss.selector &= ~3;
    ss.flags = withDpl(ss.flags, 0);
    state.loadSegment(SegIndex::Cs, cs);
    state.loadSegment(SegIndex::Ss, ss);
    state.commit();
  }
  uint64_t flags = reg(UC_X86_REG_RFLAGS) & ~(kIf | kIopl);
  setReg(UC_X86_REG_RFLAGS, flags | (v.iflag ? kIf : 0) | (uint64_t(v.iopl) << 12));
  uc_reg_write(uc_, UC_X86_REG_GDTR, &v.gdtr);
  uc_reg_write(uc_, UC_X86_REG_IDTR, &v.idtr);
  uc_reg_write(uc_, UC_X86_REG_LDTR, &v.ldtr);
  uc_reg_write(uc_, UC_X86_REG_TR, &v.tr);
  setReg(UC_X86_REG_CR0, (reg(UC_X86_REG_CR0) & ~kVmmCr0Bits) | v.cr0Low);
  deprivileged_ = kernelRing1_ = false;
  stateDirty_ = true;
}

// The guest kernel reached an instruction the VMM watches. nullopt: the monitor's usual path.
std::optional<bool> EmuBackend::handleDeprivileged(uint64_t linear, const DecodedInsn &d) {
  auto site = vcpu_->sites.find(linear);
  if (technique_ == Technique::Bt) {
    // Interrupts and hypercalls go through the monitor's delivery, which takes the virtual
    // view itself; everything else sensitive in a kernel block is a callout.
    switch (d.cls) {
    case InsnClass::SoftInt:
    case InsnClass::Int3:
    case InsnClass::Into:
    case InsnClass::Int1:
    case InsnClass::Vmcall:
    case InsnClass::Vmx:
      return std::nullopt;
    default:
      return takeOver(linear, d, "callout");
    }
  }
  if (d.cls == InsnClass::None && site != vcpu_->sites.end() && !site->second)
    return observeLeak(linear, d);
  if (ioClass(d.cls))
    return takeOver(linear, d, "io"); // Unicorn skips the IOPL check: the monitor makes it
  if (privilegedClass(d.cls)) {
    // Run it at ring 1: the CPU itself refuses with #GP, and that is the trap.
    bool ok = stepFetching(linear, d.insn.length);
    // (#DF: Unicorn's latch after a hidden page fault, see emu_delivery.cpp.)
    if (!ok && pending_.kind == Pending::Kind::Exception &&
        (pending_.vector == 13 || pending_.vector == 8)) {
      syncInstructionCount(linearPc()); // it did not retire
      return takeOver(linear, d, "gp");
    }
    return resolveStep(ok);
  }
  return std::nullopt;
}

// stepNative, and when Unicorn gives up on the instruction fetch without calling a hook (see
// runUntilStop; seen after the VMM reloaded CS), map the page and try again.
bool EmuBackend::stepFetching(uint64_t linear, unsigned length) {
  const uint64_t rip = reg(UC_X86_REG_RIP);
  for (int attempt = 0;; ++attempt) {
    bool ok = stepNative(linear, length);
    std::string error;
    if (ok || pending_.kind != Pending::Kind::None || reg(UC_X86_REG_RIP) != rip || attempt == 3)
      return ok;
    syncInstructionCount(linearPc());
    clearExceptionLatch(uc_);
    if (!mmu_->handleUnmapped(linearPc(), Access{false, cpl() == 3, true}, error))
      return ok;
  }
}

// The VMM emulates one guest-kernel instruction: the real CPU gets the virtual state, the
// instruction runs once on it (Unicorn as the VMM's interpreter), and the result is the new
// virtual state when the guest is deprivileged again.
bool EmuBackend::takeOver(uint64_t linear, const DecodedInsn &d, const char *via) {
  clearExceptionLatch(uc_);
  uint64_t rip = reg(UC_X86_REG_RIP);
  record(TrapEvent{formatInsn(d, rip), rip, via});
  VirtualView view(*this);
  inVmm_ = true;
  bool ok;
  bool runs = d.cls == InsnClass::None || d.cls == InsnClass::Iret ||
              d.cls == InsnClass::FarBranch || d.cls == InsnClass::SystemCall;
  if (runs) {
    uint8_t before = cpl();
    // A branch never reaches the instruction after it: stop where it lands instead.
    stopAtBlock_ = d.cls != InsnClass::None || d.insn.meta.category == ZYDIS_CATEGORY_COND_BR ||
                   d.insn.meta.category == ZYDIS_CATEGORY_UNCOND_BR ||
                   d.insn.meta.category == ZYDIS_CATEGORY_CALL ||
                   d.insn.meta.category == ZYDIS_CATEGORY_RET;
    // The monitor's own CPL check for a native IRET (onBlock) would end this step early.
    ringCheck_ = 0;
    bool stepped = stepFetching(linear, d.insn.length);
    ok = resolveStep(stepped);
    stopAtBlock_ = false;
    if (ok && !stopped_ && (reg(UC_X86_REG_CR0) & 1) && cpl() != before)
      record(RingEvent{before, cpl(),
                       d.cls == InsnClass::Iret ? RingCause::Iret : RingCause::FarTransfer,
                       reg(UC_X86_REG_RIP)});
  } else {
    ok = handleIntercept(linear);
  }
  inVmm_ = false;
  return ok;
}

// Trap-and-emulate's hole: the instruction runs at ring 1 on the VMM's state, no trap. Ringside
// (not the VMM, which never sees it) compares what the guest got with what native execution
// gives from the virtual state, and records a `leak` when they differ.
bool EmuBackend::observeLeak(uint64_t linear, const DecodedInsn &d) {
  const VirtualCpu &v = *vcpu_;
  const Leak kind = leakOf(d);
  const uint64_t rip = reg(UC_X86_REG_RIP);
  const unsigned width = d.insn.operand_width ? d.insn.operand_width / 8 : 2;
  const uint64_t mask = width >= 8 ? ~0ull : (1ull << (8 * width)) - 1;
  const bool longMode = codeMode() == CodeMode::Long64;
  auto readStack = [&](unsigned n) {
    uint64_t value = 0;
    mmu_->readLinear(UcStateEditor(uc_).segment(SegIndex::Ss).base + reg(UC_X86_REG_RSP), &value,
                     n);
    return value;
  };
  // The destination (or source) operand: a register or memory, `n` bytes.
  const ZydisDecodedOperand *dst = &d.operands[0];
  std::optional<uint64_t> dstAddr;
  if (dst->type == ZYDIS_OPERAND_TYPE_MEMORY)
    dstAddr = operandAddress(d, *dst);
  auto readOperand = [&](const ZydisDecodedOperand &op, std::optional<uint64_t> addr,
                         unsigned n) -> uint64_t {
    uint64_t value = 0;
    if (op.type == ZYDIS_OPERAND_TYPE_REGISTER) {
      int i = gprIndex(op.reg.value);
      value = i >= 0 ? gpr(i) : 0;
    } else if (addr) {
      mmu_->readLinear(*addr, &value, n);
    }
    return n >= 8 ? value : value & ((1ull << (8 * n)) - 1);
  };

  LeakEvent leak{formatInsn(d, rip), rip, "", 0, 0};
  uint64_t popped = 0;
  uint16_t selector = 0;
  std::optional<uint64_t> nativeCheck;
  switch (kind) {
  case Leak::Popf:
    popped = readStack(width);
    break;
  case Leak::Lar:
  case Leak::Lsl:
  case Leak::Verr:
  case Leak::Verw: {
    const auto &src = kind == Leak::Lar || kind == Leak::Lsl ? d.operands[1] : d.operands[0];
    auto srcAddr = src.type == ZYDIS_OPERAND_TYPE_MEMORY ? operandAddress(d, src) : std::nullopt;
    selector = static_cast<uint16_t>(readOperand(src, srcAddr, 2));
    uint64_t raw = 0;
    bool inTable = (selector | 7u) <= v.gdtr.limit &&
                   mmu_->readLinear(v.gdtr.base + (selector & ~7u), &raw, 8);
    nativeCheck = nativeSegmentCheck(kind, selector, raw, inTable, longMode);
    break;
  }
  default:
    break;
  }

  bool ok = stepNative(linear, d.insn.length);
  if (!ok)
    return resolveStep(false);

  switch (kind) {
  case Leak::Pushf:
    leak.what = "RFLAGS.IF/IOPL (pushed)";
    leak.seen = readStack(width) & mask;
    leak.expected = (leak.seen & ~(kIf | kIopl)) | (v.iflag ? kIf : 0) | (uint64_t(v.iopl) << 12);
    break;
  case Leak::Popf:
    // At ring 1 with IOPL 0 the CPU keeps IF and IOPL; the VMM never hears of the change.
    leak.what = "RFLAGS.IF/IOPL (popped)";
    leak.expected = popped & (kIf | kIopl);
    leak.seen = (v.iflag ? kIf : 0) | (uint64_t(v.iopl) << 12);
    break;
  case Leak::Sgdt:
  case Leak::Sidt: {
    const uc_x86_mmr &table = kind == Leak::Sgdt ? v.gdtr : v.idtr;
    uint8_t bytes[10] = {};
    if (dstAddr)
      mmu_->readLinear(*dstAddr, bytes, longMode ? 10 : 6);
    uint16_t limit;
    uint64_t base = 0;
    std::memcpy(&limit, bytes, 2);
    std::memcpy(&base, bytes + 2, longMode ? 8 : 4);
    const char *name = kind == Leak::Sgdt ? "GDTR" : "IDTR";
    uint64_t wantBase = longMode ? table.base : table.base & 0xFFFFFFFF;
    if (base != wantBase) {
      leak.what = std::string(name) + ".base";
      leak.expected = wantBase;
      leak.seen = base;
    } else {
      leak.what = std::string(name) + ".limit";
      leak.expected = table.limit & 0xFFFF;
      leak.seen = limit;
    }
    break;
  }
  case Leak::Sldt:
  case Leak::Str:
    leak.what = kind == Leak::Sldt ? "LDTR" : "TR";
    leak.expected = kind == Leak::Sldt ? v.ldtr.selector : v.tr.selector;
    leak.seen = readOperand(*dst, dstAddr, 2) & 0xFFFF;
    break;
  case Leak::Smsw:
    leak.what = "CR0 (low 16 bits)";
    // Native SMSW reads the real CR0: the one the guest set, without the VMM's bits.
    leak.expected = ((reg(UC_X86_REG_CR0) & ~kVmmCr0Bits) | v.cr0Low) & 0xFFFF;
    leak.seen = readOperand(*dst, dstAddr, 2) & 0xFFFF;
    break;
  case Leak::PushSreg:
  case Leak::MovSreg: {
    bool cs =
        (kind == Leak::PushSreg ? d.operands[0] : d.operands[1]).reg.value == ZYDIS_REGISTER_CS;
    leak.what = cs ? "CS.RPL" : "SS.RPL";
    leak.seen = kind == Leak::PushSreg ? readStack(2) & 0xFFFF : readOperand(*dst, dstAddr, 2);
    leak.expected = leak.seen & ~3ull; // the virtual CPL is 0
    leak.seen &= 3;
    leak.expected &= 3;
    break;
  }
  case Leak::Lar:
  case Leak::Lsl:
  case Leak::Verr:
  case Leak::Verw: {
    leak.what = kind == Leak::Lar   ? "ZF:access rights"
                : kind == Leak::Lsl ? "ZF:segment limit"
                                    : "ZF";
    bool zf = reg(UC_X86_REG_RFLAGS) & kZf;
    uint64_t value = 0;
    if (zf && (kind == Leak::Lar || kind == Leak::Lsl))
      value = readOperand(d.operands[0], std::nullopt, 4) &
              (kind == Leak::Lar ? 0x00F0FF00u : 0xFFFFFFFFu);
    leak.seen = (uint64_t(zf) << 32) | value;
    leak.expected = nativeCheck.value_or(leak.seen);
    break;
  }
  case Leak::None:
    return true;
  }
  if (leak.expected != leak.seen)
    record(std::move(leak));
  return true;
}

// The instructions of a new block the monitor's scan does not cover: trap watches the leaky
// ones; bt rewrites them and the privileged ones the scan leaves alone.
void EmuBackend::scanSensitive(uint64_t addr, const std::vector<uint16_t> &offsets, bool &added) {
  if (!vcpu_)
    return;
  for (uint16_t off : offsets) {
    // Decoded from memory, not from the block's bytes: Unicorn 2.0.1 reports a block that
    // starts at a hooked instruction with a size that can cut that instruction short.
    auto d = decodeAt(addr + off);
    if (!d || d->cls != InsnClass::None)
      continue;
    bool leaky = leakOf(*d) != Leak::None;
    bool privileged = privilegedUnscanned(*d);
    if (!leaky && !(privileged && technique_ == Technique::Bt))
      continue;
    uint64_t site = addr + off;
    vcpu_->sites[site] = privileged;
    intercepts_[site] = Intercept{InsnClass::None, d};
    if (!hooked_.count(site)) {
      ensureHook(site);
      added = true;
    }
  }
}

} // namespace ringside::emu
