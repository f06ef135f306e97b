#pragma once
// One KVM virtual machine with one vCPU: /dev/kvm, the VM and vCPU fds, the kvm_run page,
// guest RAM as memory slots. RAM is split around the VGA window so that guest accesses
// there are not backed and come back to userspace as KVM_EXIT_MMIO.
#include "kvm_fd.h"

#include <cstdint>
#include <linux/kvm.h>
#include <span>

namespace ringside::kvm {

class KvmVm {
public:
  /// Creates the VM, its RAM (`ramBytes` from guest-physical 0) and vCPU 0 with the host's
  /// supported CPUID. Throws InputError saying what failed.
  explicit KvmVm(uint64_t ramBytes);

  std::span<uint8_t> ram() const { return {ram_.as<uint8_t>(), ram_.size()}; }
  kvm_run *run() const { return run_.as<kvm_run>(); }
  int vcpuFd() const { return vcpu_.get(); }
  /// KVM_CAP_SYNC_REGS with REGS|SREGS: registers arrive in run()->s.regs at every exit.
  bool syncRegs() const { return syncRegs_; }

  kvm_regs getRegs() const;
  kvm_sregs getSregs() const;
  void setRegs(const kvm_regs &regs);
  void setSregs(const kvm_sregs &sregs);
  /// --virt pv (docs/hypercalls.md): CPUID 0x40000000 signs "RingsidePV", and WRMSR
  /// 0x40000000 (the hypercall page) exits to userspace through an MSR filter.
  void enableParavirt();

private:
  void addSlot(uint32_t slot, uint64_t gpa, uint64_t size);
  void setCpuid(bool pvSignature = false);

  Fd kvm_, vm_, vcpu_;
  Mapping ram_, run_;
  bool syncRegs_ = false;
};

} // namespace ringside::kvm
