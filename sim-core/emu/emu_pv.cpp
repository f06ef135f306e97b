// Paravirtualization on the emu backend (--virt pv, docs/hypercalls.md): the guest asks for a
// hypercall page with WRMSR 0x40000000, the VMM fills it with VMCALL stubs, and each VMCALL is
// one VM exit that runs a whole hypercall (a batch of page-table updates included).
#include "emu/emu_backend.h"
#include "vmm/hypercalls.h"

#include <cstring>

namespace ringside::emu {
namespace {

class EmuHypercallHost : public HypercallHost {
public:
  EmuHypercallHost(ShadowMmu &mmu, GuestRam &ram, Platform &platform, uint64_t instructions)
      : mmu_(mmu), ram_(ram), platform_(platform), instructions_(instructions) {}
  bool readLinear(uint64_t gva, void *dst, size_t n) override {
    return mmu_.readLinear(gva, dst, n);
  }
  bool writePhysical(uint64_t gpa, const void *src, size_t n) override {
    return ram_.write(gpa, src, n);
  }
  void console(std::string_view text) override { platform_.writeConsole(instructions_, text); }
  void flushTlb() override { mmu_.flushAll(); } // records the tlb event itself
  void exit(int64_t code) override { exitCode = code; }
  std::optional<int64_t> exitCode;

private:
  ShadowMmu &mmu_;
  GuestRam &ram_;
  Platform &platform_;
  uint64_t instructions_;
};

// "RingsidePV" in EBX, ECX, EDX, as hypervisors sign CPUID leaf 0x40000000.
constexpr char kSignature[13] = "RingsidePV\0\0";

} // namespace

bool EmuBackend::hypercall(uint64_t rip) {
  HypercallEvent call;
  call.nr = gpr(0);
  call.args = {gpr(3), gpr(1), gpr(2), gpr(6)}; // RBX RCX RDX RSI, as KVM's ABI
  call.rip = rip;
  call.result = kHypercallEnosys; // outside --virt pv no hypercall is defined
  std::optional<int64_t> exitCode;
  if (technique_ == Technique::Pv) {
    EmuHypercallHost host(*mmu_, *ram_, platform_, icount_);
    call.result = runHypercall(call.nr, call.args, host);
    exitCode = host.exitCode;
  }
  record(call);
  if (exitCode) {
    ++icount_;
    finish(StopKind::ExitPort, *exitCode,
           "the guest called the exit hypercall with code " + std::to_string(*exitCode));
    return false;
  }
  setGpr(0, call.result, 8);
  return true;
}

bool EmuBackend::handlePvMsr(const DecodedInsn &d, uint64_t rip) {
  if (technique_ != Technique::Pv || d.cls != InsnClass::Wrmsr ||
      static_cast<uint32_t>(gpr(1)) != kHypercallPageMsr)
    return false;
  uint64_t gpa = ((gpr(2) & 0xFFFFFFFF) << 32 | (gpr(0) & 0xFFFFFFFF)) & ~0xFFFull;
  auto page = hypercallPage(HypercallGate::Vmcall);
  if (!ram_->write(gpa, page.data(), page.size())) {
    deliver(PendingEvent{13, EventType::HardwareException, true, 0}, rip);
    return true;
  }
  // Code translated from that page before (by identity) is stale now.
  uc_ctl_remove_cache(uc_, gpa, gpa + page.size());
  setReg(UC_X86_REG_RIP, rip + d.insn.length);
  ++icount_;
  return true;
}

void EmuBackend::hypervisorCpuid(uint32_t leaf) {
  if (technique_ != Technique::Pv || leaf != kHypervisorCpuidLeaf)
    return;
  uint32_t words[3];
  std::memcpy(words, kSignature, sizeof words);
  setGpr(0, kHypervisorCpuidLeaf, 4); // the highest hypervisor leaf
  setGpr(3, words[0], 4);
  setGpr(1, words[1], 4);
  setGpr(2, words[2], 4);
}

} // namespace ringside::emu
