#pragma once
// The virtual CPU of trap-and-emulate and binary translation: what the guest kernel believes
// about the CPU while it really runs at ring 1 on the VMM's tables (docs/techniques.md).
#include "emu/emu_backend.h"

#include <unicorn/unicorn.h>

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace ringside::emu {

/// Where the VMM keeps its own descriptor tables while the guest kernel is deprivileged:
/// inside the platform's reserved range (platform/layout.h), which guests never load into.
inline constexpr uint64_t kVmmGdt = 0x1800;     ///< a copy of the guest GDT, DPL 0 → 1
inline constexpr uint64_t kVmmGdtBytes = 0x800; ///< up to 256 descriptors
inline constexpr uint64_t kVmmIdt = 0x1100;     ///< the VMM's IDT (the monitor's hooks)
inline constexpr uint32_t kVmmIdtLimit = 0xFF;  ///< Unicorn never reads it: see the doc
inline constexpr uint64_t kVmmCr0Bits = 0x22;   ///< CR0.MP | CR0.NE: the VMM's FPU settings

struct EmuBackend::VirtualCpu {
  bool iflag = false; ///< virtual RFLAGS.IF
  uint8_t iopl = 0;   ///< virtual RFLAGS.IOPL
  uc_x86_mmr gdtr{}, idtr{}, ldtr{}, tr{};
  uc_x86_mmr vmmTr{};  ///< the TR the real CPU keeps while the guest kernel runs
  uint64_t cr0Low = 0; ///< the guest's CR0.MP/NE, restored with the virtual state
  /// Instructions the VMM watches (trap: leaks) or rewrote (bt: callouts), by linear address.
  std::unordered_map<uint64_t, bool> sites; ///< value: true = privileged, false = leaky
  struct Translation {
    std::vector<uint8_t> bytes; ///< the guest code it was made from (coherence check)
    uint32_t insns = 0, rewritten = 0;
    bool ret = false; ///< ends with a near RET (TranslateEvent::ret)
  };
  std::unordered_map<uint64_t, Translation> tc; ///< the translation cache, by block address
  uint64_t blockStart = 0, blockEnd = 0;        ///< the translated block running now
  bool resumesBlock = false; ///< its first instruction retries after a hidden page fault
};

/// While one lives, the real CPU holds the guest's virtual state (CPL 0, its IF and tables):
/// the monitor delivers events and emulates instructions on it. The outermost one
/// deprivileges the guest again if it is still in its kernel.
class EmuBackend::VirtualView {
public:
  explicit VirtualView(EmuBackend &b) : b_(b) {
    if (b_.deprivileged_)
      b_.restoreVirtual();
    ++b_.viewDepth_;
  }
  ~VirtualView() {
    if (--b_.viewDepth_ == 0)
      b_.settle();
  }
  VirtualView(const VirtualView &) = delete;
  VirtualView &operator=(const VirtualView &) = delete;

private:
  EmuBackend &b_;
};

} // namespace ringside::emu
