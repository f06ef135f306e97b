#pragma once
// One KVM virtual machine with one vCPU: /dev/kvm, the VM and vCPU fds, the kvm_run page,
// guest RAM as memory slots. RAM is split around the VGA window so that guest accesses
// there are not backed and come back to userspace as KVM_EXIT_MMIO.
#include "kvm_fd.h"

#include <cstdint>
#include <linux/kvm.h>
#include <span>
#include <utility>
#include <vector>

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

  // kvm_vm_state.cpp: the rest of the vCPU's state, for snapshots, and the RAM slots' dirty log.
  kvm_fpu getFpu() const;
  void setFpu(const kvm_fpu &fpu);
  kvm_vcpu_events getEvents() const;
  void setEvents(const kvm_vcpu_events &events);
  /// The MSRs of `indices` this host lets us read, as (index, value); the others are left out.
  std::vector<std::pair<uint32_t, uint64_t>> getMsrs(std::span<const uint32_t> indices) const;
  /// Writes each MSR; throws InputError naming the first one the host refuses.
  void setMsrs(const std::vector<std::pair<uint32_t, uint64_t>> &msrs);
  /// KVM_MEM_LOG_DIRTY_PAGES on every RAM slot (set again with the flag changed).
  void setDirtyLogging(bool on);
  bool dirtyLogging() const { return dirtyLogging_; }
  /// KVM_GET_DIRTY_LOG on every slot: the guest-physical page numbers the kernel marked since
  /// the last fetch (the kernel clears the log as it returns it), ascending.
  std::vector<uint64_t> fetchDirtyLog();

private:
  struct Slot {
    uint32_t id;
    uint64_t gpa, size;
  };
  void addSlot(uint32_t slot, uint64_t gpa, uint64_t size);
  void setSlot(const Slot &slot, uint32_t flags);
  void setCpuid(bool pvSignature = false);

  Fd kvm_, vm_, vcpu_;
  Mapping ram_, run_;
  bool syncRegs_ = false;
  std::vector<Slot> slots_;
  bool dirtyLogging_ = false;
};

} // namespace ringside::kvm
