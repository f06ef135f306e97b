// Paravirtualization on the KVM backend (--virt pv, docs/hypercalls.md). On KVM a VMCALL never
// reaches userspace (KVM keeps it for its own hypercalls, and on PVM it livelocks the vCPU), so
// the hypercall page Ringside writes here holds a port doorbell instead: `mov eax, nr;
// out 0xF5, eax; ret`. The OUT comes back as KVM_EXIT_IO and runs the same hypercall code as
// the emu backend's VMCALL. The page's MSR write reaches us through an MSR filter
// (KVM_EXIT_X86_WRMSR), and CPUID 0x40000000 answers "RingsidePV" from the CPUID table.
#include "arch/exit_reasons.h"
#include "kvm_backend.h"
#include "vmm/hypercalls.h"
#include "vmx/exit_decision.h"

#include <functional>

namespace ringside::kvm {
namespace {

class KvmHypercallHost : public HypercallHost {
public:
  using ReadLinear = std::function<bool(uint64_t, void *, size_t)>;
  KvmHypercallHost(ReadLinear read, KvmRam &ram, Platform &platform)
      : read_(std::move(read)), ram_(ram), platform_(platform) {}
  bool readLinear(uint64_t gva, void *dst, size_t n) override { return read_(gva, dst, n); }
  bool writePhysical(uint64_t gpa, const void *src, size_t n) override {
    return ram_.write(gpa, src, n);
  }
  void console(std::string_view text) override { platform_.writeConsole(0, text); }
  // Nothing to flush from userspace: KVM keeps the guest's TLB (and, on PVM or without EPT,
  // its shadow page tables). New entries fault in; see docs/hypercalls.md for changed ones.
  void flushTlb() override {}
  void exit(int64_t code) override { exitCode = code; }
  std::optional<int64_t> exitCode;

private:
  ReadLinear read_;
  KvmRam &ram_;
  Platform &platform_;
};

} // namespace

bool KvmBackend::isHypercallDoorbell() const {
  const auto &io = vm_->run()->io;
  return pv_ && io.port == kHypercallDoorbellPort && io.direction == KVM_EXIT_IO_OUT &&
         io.size == 4 && io.count == 1;
}

bool KvmBackend::onHypercallDoorbell() {
  exitEvent(exit_reason::IoInstruction,
            ioExitQualification(kHypercallDoorbellPort, 4, false, false, false, true));
  walkExitRip();
  kvm_regs regs = vm_->syncRegs() ? vm_->run()->s.regs.regs : vm_->getRegs();
  HypercallEvent call;
  call.nr = regs.rax;
  call.args = {regs.rbx, regs.rcx, regs.rdx, regs.rsi}; // KVM's hypercall registers
  call.rip = exitRip();
  const CpuView view = cpuView();
  KvmHypercallHost host(
      [this, &view](uint64_t gva, void *dst, size_t n) { return readLinear(view, gva, dst, n); },
      *ram_, *platform_);
  call.result = runHypercall(call.nr, call.args, host);
  record(call);
  retireAtUserspaceExit();
  if (host.exitCode) {
    finish(StopKind::ExitPort, *host.exitCode,
           "the guest called the exit hypercall with code " + std::to_string(*host.exitCode));
    return false;
  }
  regs.rax = call.result;
  if (vm_->syncRegs()) {
    vm_->run()->s.regs.regs.rax = call.result;
    vm_->run()->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
  } else {
    vm_->setRegs(regs);
  }
  entryEvent();
  return true;
}

// Only MSR 0x40000000 is filtered (kvm_vm.cpp), and only under --virt pv.
bool KvmBackend::onWrmsr() {
  auto &msr = vm_->run()->msr;
  exitEvent(exit_reason::MsrWrite, 0);
  if (!pv_ || msr.index != kHypercallPageMsr) {
    msr.error = 1; // #GP, as for an MSR nobody implements
    entryEvent();
    return true;
  }
  const uint64_t gpa = msr.data & ~0xFFFull;
  auto page = hypercallPage(HypercallGate::PortDoorbell);
  msr.error = ram_->write(gpa, page.data(), page.size()) ? 0 : 1;
  retireAtUserspaceExit();
  entryEvent();
  return true;
}

} // namespace ringside::kvm
