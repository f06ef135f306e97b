// Binary translation (--virt bt): the translation cache. Each guest-kernel block is decoded
// when it first runs; its sensitive instructions become callouts into the VMM (Unicorn code
// hooks that stop before them, so the VMM emulates them: emu_deprivilege.cpp). A block is
// found again by address and checked against the guest's current bytes, so code the guest
// rewrote is translated again. docs/techniques.md says what is real and what is modelled.
#include "emu/emu_backend.h"
#include "emu/sensitive_insns.h"
#include "emu/virtual_cpu.h"

#include <cstring>
#include <utility>

namespace ringside::emu {

namespace {

// A basic block ends at a control transfer (or after kMaxBlock instructions).
constexpr uint32_t kMaxBlock = 64;

bool endsBlock(const DecodedInsn &d) {
  switch (d.insn.meta.category) {
  case ZYDIS_CATEGORY_COND_BR:
  case ZYDIS_CATEGORY_UNCOND_BR:
  case ZYDIS_CATEGORY_CALL:
  case ZYDIS_CATEGORY_RET:
  case ZYDIS_CATEGORY_INTERRUPT:
  case ZYDIS_CATEGORY_SYSCALL:
  case ZYDIS_CATEGORY_SYSRET:
    return true;
  default:
    return d.cls == InsnClass::Iret || d.cls == InsnClass::FarBranch || d.cls == InsnClass::Hlt;
  }
}

} // namespace

// Where the code at guest-linear `addr` ends for the translator: the end of the image segment
// it was loaded from (what follows is not the guest's code: zeros, or nothing mapped), or no
// bound (~0) for code the guest put elsewhere itself.
uint64_t EmuBackend::loadedCodeEnd(uint64_t addr) {
  uint64_t pa = 0;
  if (!mmu_->linearToPhysical(addr, false, pa))
    return ~0ull;
  for (const auto &seg : image_.segments)
    if (pa >= seg.gpa && pa < seg.gpa + seg.bytes.size())
      return addr + (seg.gpa + seg.bytes.size() - pa);
  return ~0ull;
}

void EmuBackend::translationLookup(uint64_t addr) {
  VirtualCpu &v = *vcpu_;
  // Unicorn starts a new block of its own after each callout (and wherever QEMU splits one):
  // inside the translated block running now, that is the same translation going on.
  // So is its first instruction retried after a hidden page fault (native mode's windows).
  const bool resumes = std::exchange(v.resumesBlock, false) && addr == v.blockStart;
  if ((addr > v.blockStart || resumes) && addr < v.blockEnd)
    return;
  auto &tc = v.tc;
  if (auto it = tc.find(addr); it != tc.end()) {
    std::vector<uint8_t> now(it->second.bytes.size());
    if (mmu_->readLinear(addr, now.data(), now.size()) && now == it->second.bytes) {
      v.blockStart = addr;
      v.blockEnd = addr + now.size();
      record(TranslateEvent{
          addr, true, it->second.insns, it->second.rewritten, {}, {}, {}, it->second.ret});
      return;
    }
  }
  // A miss (or code the guest changed since): translate the basic block, decoded from guest
  // memory up to its control transfer, and no further than the guest's code goes: the end of
  // the loaded image, or bytes that are no instruction.
  TranslateEvent ev;
  ev.addr = addr;
  uint64_t at = addr;
  const uint64_t end = loadedCodeEnd(addr);
  do {
    auto d = decodeAt(at);
    if (!d || at + d->insn.length > end)
      break;
    std::string text = formatInsn(*d, at);
    bool rewritten =
        d->cls != InsnClass::None || leakOf(*d) != Leak::None || privilegedUnscanned(*d);
    char where[24];
    std::snprintf(where, sizeof where, "0x%llx: ", static_cast<unsigned long long>(at));
    ev.original += where + text + "\n";
    if (rewritten) {
      ev.translated +=
          std::string(where) + "call vmm_" + mnemonicOf(*d) + "  ; was: " + text + "\n";
      ev.rewrittenInsns += (ev.rewritten ? ", " : "") + mnemonicOf(*d);
      ++ev.rewritten;
    } else {
      ev.translated += where + text + "\n";
    }
    ++ev.insns;
    at += d->insn.length;
    ev.ret = d->insn.mnemonic == ZYDIS_MNEMONIC_RET; // near RET (RETF is its own mnemonic)
    if (endsBlock(*d))
      break;
  } while (ev.insns < kMaxBlock);
  std::vector<uint8_t> bytes(at - addr);
  mmu_->readLinear(addr, bytes.data(), bytes.size());
  v.blockStart = addr;
  v.blockEnd = at;
  tc[addr] = VirtualCpu::Translation{std::move(bytes), ev.insns, ev.rewritten, ev.ret};
  record(std::move(ev));
}

} // namespace ringside::emu
