// Reading and writing the emu vCPU: registers, modes, the guest's view of its control
// registers, and decoding the instruction at a linear address.
#include "emu/emu_backend.h"
#include "emu/uc_state.h"

#include <array>

namespace ringside::emu {
namespace {

constexpr std::array<int, 16> kGprs = {
    UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX, UC_X86_REG_RSP, UC_X86_REG_RBP,
    UC_X86_REG_RSI, UC_X86_REG_RDI, UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
    UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15};

constexpr uint64_t kCr0Pe = 1, kEferLma = 1u << 10;
constexpr uint32_t kDescB = 1u << 22, kDescL = 1u << 21;

} // namespace

uint64_t EmuBackend::reg(int ucReg) const {
  uint64_t value = 0;
  uc_reg_read(uc_, ucReg, &value);
  return value;
}

void EmuBackend::setReg(int ucReg, uint64_t value) { uc_reg_write(uc_, ucReg, &value); }

uint64_t EmuBackend::gpr(int index) const { return reg(kGprs[index]); }

void EmuBackend::setGpr(int index, uint64_t value, unsigned bytes) {
  uint64_t old = gpr(index);
  switch (bytes) {
  case 1:
    value = (old & ~0xFFull) | (value & 0xFF);
    break;
  case 2:
    value = (old & ~0xFFFFull) | (value & 0xFFFF);
    break;
  case 4:
    value &= 0xFFFFFFFFull; // 32-bit writes zero-extend
    break;
  default:
    break;
  }
  setReg(kGprs[index], value);
}

uint64_t EmuBackend::efer() const {
  // Reading an MSR through Unicorn runs its RDMSR helper: cache it. Only WRMSR and MOV to CR0
  // (LMA) change EFER, and both run through stepNative, which drops the cache.
  if (!eferCache_) {
    uc_x86_msr msr{0xC0000080, 0};
    uc_reg_read(uc_, UC_X86_REG_MSR, &msr);
    eferCache_ = msr.value;
  }
  return *eferCache_;
}

uint64_t EmuBackend::linearPc() const {
  UcStateEditor state(uc_);
  return state.segment(SegIndex::Cs).base + reg(UC_X86_REG_RIP);
}

// The CPL is CS.RPL in protected and long mode (SDM vol. 3 §5.5); 0 in real mode.
uint8_t EmuBackend::cpl() const {
  return (reg(UC_X86_REG_CR0) & kCr0Pe) ? reg(UC_X86_REG_CS) & 3 : 0;
}

CodeMode EmuBackend::codeMode() const {
  if (!(reg(UC_X86_REG_CR0) & kCr0Pe))
    return CodeMode::Real16;
  uint32_t flags = UcStateEditor(uc_).segment(SegIndex::Cs).flags;
  if (efer() & kEferLma) {
    if (flags & kDescL)
      return CodeMode::Long64;
    return (flags & kDescB) ? CodeMode::Compat32 : CodeMode::Compat16;
  }
  return (flags & kDescB) ? CodeMode::Prot32 : CodeMode::Prot16;
}

PagingState EmuBackend::guestPaging() const {
  return PagingState{guestCr0_, guestCr3_, guestCr4_, efer()};
}

CpuSnapshot EmuBackend::snapshot(uint64_t returnRip) const {
  UcStateEditor state(uc_);
  CpuSnapshot cpu;
  uint64_t cr0 = reg(UC_X86_REG_CR0);
  cpu.mode = !(cr0 & kCr0Pe)       ? CpuMode::Real
             : (efer() & kEferLma) ? CpuMode::Long
                                   : CpuMode::Protected;
  cpu.cpl = cpu.mode == CpuMode::Real ? 0 : state.cpl();
  cpu.rip = returnRip;
  cpu.rsp = reg(UC_X86_REG_RSP);
  cpu.rflags = reg(UC_X86_REG_RFLAGS);
  auto cs = state.segment(SegIndex::Cs), ss = state.segment(SegIndex::Ss);
  cpu.cs = cs.selector;
  cpu.ss = ss.selector;
  cpu.ssBase = ss.base;
  cpu.ss32 = ss.flags & kDescB;
  uc_x86_mmr gdtr{}, idtr{}, tr{};
  uc_reg_read(uc_, UC_X86_REG_GDTR, &gdtr);
  uc_reg_read(uc_, UC_X86_REG_IDTR, &idtr);
  uc_reg_read(uc_, UC_X86_REG_TR, &tr);
  cpu.gdtr = TableRegister{gdtr.base, gdtr.limit};
  cpu.idtr = TableRegister{idtr.base, idtr.limit};
  cpu.tr = tr.selector;
  cpu.trBase = tr.base;
  cpu.trLimit = tr.limit;
  return cpu;
}

GuestRegs EmuBackend::guestRegs() const {
  GuestRegs r;
  for (int i = 0; i < 16; ++i)
    r.gpr[i] = gpr(i);
  r.rip = reg(UC_X86_REG_RIP);
  r.rflags = reg(UC_X86_REG_RFLAGS);
  r.cr0 = guestCr0_;
  r.cr2 = guestCr2_;
  r.cr3 = guestCr3_;
  r.cr4 = guestCr4_;
  r.efer = efer();
  r.cs = static_cast<uint16_t>(reg(UC_X86_REG_CS));
  r.ss = static_cast<uint16_t>(reg(UC_X86_REG_SS));
  r.cpl = (reg(UC_X86_REG_CR0) & kCr0Pe) ? cpl() : 0;
  return r;
}

std::optional<DecodedInsn> EmuBackend::decodeAt(uint64_t linear) {
  uint8_t bytes[15];
  size_t n = sizeof bytes;
  // An instruction near the end of a mapped page: read only what is there.
  while (n > 0 && !mmu_->readLinear(linear, bytes, n))
    n = n > 1 ? std::min<size_t>(n - 1, 4096 - (linear & 4095)) : 0;
  if (n == 0)
    return std::nullopt;
  return decoder_.decode(codeMode(), bytes, n);
}

Access EmuBackend::faultAccess(uint64_t pc, uint64_t cr2) {
  Access access;
  access.user = (reg(UC_X86_REG_CR0) & kCr0Pe) && cpl() == 3;
  auto d = decodeAt(pc);
  if (!d || (cr2 >= pc && cr2 < pc + d->insn.length)) {
    access.fetch = true;
    return access;
  }
  for (unsigned i = 0; i < d->insn.operand_count; ++i) {
    const auto &op = d->operands[i];
    if (op.type == ZYDIS_OPERAND_TYPE_MEMORY && op.mem.type == ZYDIS_MEMOP_TYPE_MEM &&
        (op.actions & ZYDIS_OPERAND_ACTION_MASK_WRITE))
      access.write = true;
  }
  return access;
}

// The general registers as Zydis reads them to compute an effective address.
ZydisRegisterContext EmuBackend::registerContext() const {
  ZydisRegisterContext context{};
  for (int i = 0; i < 16; ++i) {
    uint64_t v = gpr(i);
    context.values[gprRegister(i, 0)] = v;
    context.values[gprRegister(i, 1)] = v & 0xFFFFFFFF;
    context.values[gprRegister(i, 2)] = v & 0xFFFF;
  }
  context.values[ZYDIS_REGISTER_RIP] = reg(UC_X86_REG_RIP);
  return context;
}

// INVLPG's operand, computed by Zydis from the registers (flat data segments assumed).
uint64_t EmuBackend::invlpgAddress(const DecodedInsn &d, uint64_t rip) {
  ZydisRegisterContext context = registerContext();
  ZyanU64 ea = 0;
  ZydisCalcAbsoluteAddressEx(&d.insn, &d.operands[0], rip, &context, &ea);
  return ea;
}

// The CPU sets a descriptor's Accessed bit when it loads it. QEMU does so for data segment
// loads but not for CS on far transfers, and descriptor loads the monitor does itself
// (interrupt delivery) bypass QEMU: both are fixed up here.
void EmuBackend::markDescriptorAccessed(uint16_t selector) {
  if ((selector & 0xFFFC) == 0 || (selector & 4) || !(reg(UC_X86_REG_CR0) & kCr0Pe))
    return;
  uc_x86_mmr gdtr{};
  uc_reg_read(uc_, UC_X86_REG_GDTR, &gdtr);
  uint64_t at = gdtr.base + (selector & ~7u) + 5; // the access-rights byte
  uint8_t access = 0;
  if ((selector | 7u) > gdtr.limit || !mmu_->readLinear(at, &access, 1) || (access & 1))
    return;
  access |= 1;
  mmu_->writeLinear(at, &access, 1);
}

} // namespace ringside::emu
