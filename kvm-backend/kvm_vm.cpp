#include "kvm_vm.h"

#include "errors.h"
#include "platform/layout.h"
#include "vmm/hypercalls.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/ioctl.h>
#include <vector>

namespace ringside::kvm {
namespace {

[[noreturn]] void fail(const std::string &what) {
  throw InputError("kvm backend: " + what + " failed: " + std::strerror(errno));
}

// In C++ the 6.1 uapi __DECLARE_FLEX_ARRAY puts an empty struct (1 byte in C++, 0 in C) before
// kvm_cpuid2::entries, moving it to offset 12 and changing the ioctl numbers. The kernel's
// layout is nent, padding, then the entries at offset 8: use that, and never touch ->entries.
constexpr size_t kCpuid2Header = 2 * sizeof(uint32_t);
const unsigned long kGetSupportedCpuid = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x05, kCpuid2Header);
const unsigned long kSetCpuid2 = _IOC(_IOC_WRITE, KVMIO, 0x90, kCpuid2Header);

constexpr uint32_t kSyncMask = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;

// Leaf 0x40000000 of the CPUID table says "RingsidePV" instead of KVM's "KVMKVMKVM", as the
// emu backend's --virt pv does; added when the kernel's table has no such leaf. `entries`
// points at the kernel's entry array (see above), with room for `capacity`. False: no room.
bool signParavirt(uint8_t *entries, uint32_t &count, uint32_t capacity) {
  auto *e = reinterpret_cast<kvm_cpuid_entry2 *>(entries);
  uint32_t i = 0;
  while (i < count && e[i].function != kHypervisorCpuidLeaf)
    ++i;
  if (i == count) {
    if (count == capacity)
      return false;
    e[count++] = kvm_cpuid_entry2{};
    e[i].function = kHypervisorCpuidLeaf;
  }
  const char signature[13] = "RingsidePV\0\0";
  e[i].eax = kHypervisorCpuidLeaf; // the highest hypervisor leaf
  std::memcpy(&e[i].ebx, signature, 4);
  std::memcpy(&e[i].ecx, signature + 4, 4);
  std::memcpy(&e[i].edx, signature + 8, 4);
  return true;
}

} // namespace

KvmVm::KvmVm(uint64_t ramBytes) {
  kvm_ = Fd(open("/dev/kvm", O_RDWR | O_CLOEXEC));
  if (!kvm_.valid())
    fail("opening /dev/kvm");
  vm_ = Fd(ioctl(kvm_.get(), KVM_CREATE_VM, 0));
  if (!vm_.valid())
    fail("KVM_CREATE_VM");
  // MAP_NORESERVE: a 4 GiB guest costs only the pages it touches.
  ram_ = Mapping(mmap(nullptr, ramBytes, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
                 ramBytes);
  if (!ram_.valid())
    fail("allocating " + std::to_string(ramBytes >> 20) + " MiB of guest RAM");
  // Two slots with the VGA window between them: not backed, so every access exits to us.
  const uint64_t vgaEnd = layout::kVgaBase + layout::kVgaSize;
  addSlot(0, 0, std::min<uint64_t>(ramBytes, layout::kVgaBase));
  if (ramBytes > vgaEnd)
    addSlot(1, vgaEnd, ramBytes - vgaEnd);

  vcpu_ = Fd(ioctl(vm_.get(), KVM_CREATE_VCPU, 0));
  if (!vcpu_.valid())
    fail("KVM_CREATE_VCPU");
  int runSize = ioctl(kvm_.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
  if (runSize <= 0)
    fail("KVM_GET_VCPU_MMAP_SIZE");
  run_ = Mapping(mmap(nullptr, static_cast<size_t>(runSize), PROT_READ | PROT_WRITE, MAP_SHARED,
                      vcpu_.get(), 0),
                 static_cast<size_t>(runSize));
  if (!run_.valid())
    fail("mapping kvm_run");
  setCpuid();
  int sync = ioctl(kvm_.get(), KVM_CHECK_EXTENSION, KVM_CAP_SYNC_REGS);
  syncRegs_ = sync > 0 && (static_cast<uint32_t>(sync) & kSyncMask) == kSyncMask;
  if (syncRegs_)
    run()->kvm_valid_regs = kSyncMask;
}

void KvmVm::addSlot(uint32_t slot, uint64_t gpa, uint64_t size) {
  slots_.push_back(Slot{slot, gpa, size});
  setSlot(slots_.back(), 0);
}

void KvmVm::setSlot(const Slot &slot, uint32_t flags) {
  kvm_userspace_memory_region region{};
  region.slot = slot.id;
  region.flags = flags;
  region.guest_phys_addr = slot.gpa;
  region.memory_size = slot.size;
  region.userspace_addr = reinterpret_cast<uint64_t>(ram_.as<uint8_t>() + slot.gpa);
  if (ioctl(vm_.get(), KVM_SET_USER_MEMORY_REGION, &region) < 0)
    fail("KVM_SET_USER_MEMORY_REGION");
}

// Long mode needs the CPUID bits (LM, PAE, …) the guest checks; pass the host's through.
void KvmVm::setCpuid(bool pvSignature) {
  for (uint32_t entries = 64; entries <= 4096; entries *= 2) {
    std::vector<uint8_t> buf(kCpuid2Header + entries * sizeof(kvm_cpuid_entry2));
    auto *cpuid = reinterpret_cast<kvm_cpuid2 *>(buf.data());
    cpuid->nent = entries;
    if (ioctl(kvm_.get(), kGetSupportedCpuid, cpuid) < 0) {
      if (errno == E2BIG)
        continue;
      fail("KVM_GET_SUPPORTED_CPUID");
    }
    if (pvSignature && !signParavirt(buf.data() + kCpuid2Header, cpuid->nent, entries))
      continue; // no room for the hypervisor leaf: ask again with a bigger table
    if (ioctl(vcpu_.get(), kSetCpuid2, cpuid) < 0)
      fail("KVM_SET_CPUID2");
    return;
  }
  fail("KVM_GET_SUPPORTED_CPUID (too many entries)");
}

void KvmVm::enableParavirt() {
  setCpuid(true);
  kvm_enable_cap cap{};
  cap.cap = KVM_CAP_X86_USER_SPACE_MSR;
  cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
  if (ioctl(vm_.get(), KVM_ENABLE_CAP, &cap) < 0)
    fail("KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR) for --virt pv");
  // Everything allowed, except writes to the hypercall-page MSR: those exit to us.
  static uint8_t deny = 0;
  kvm_msr_filter filter{};
  filter.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
  filter.ranges[0].flags = KVM_MSR_FILTER_WRITE;
  filter.ranges[0].nmsrs = 1;
  filter.ranges[0].base = kHypercallPageMsr;
  filter.ranges[0].bitmap = &deny;
  if (ioctl(vm_.get(), KVM_X86_SET_MSR_FILTER, &filter) < 0)
    fail("KVM_X86_SET_MSR_FILTER for --virt pv");
}

kvm_regs KvmVm::getRegs() const {
  kvm_regs regs{};
  if (ioctl(vcpu_.get(), KVM_GET_REGS, &regs) < 0)
    fail("KVM_GET_REGS");
  return regs;
}

kvm_sregs KvmVm::getSregs() const {
  kvm_sregs sregs{};
  if (ioctl(vcpu_.get(), KVM_GET_SREGS, &sregs) < 0)
    fail("KVM_GET_SREGS");
  return sregs;
}

void KvmVm::setRegs(const kvm_regs &regs) {
  if (ioctl(vcpu_.get(), KVM_SET_REGS, &regs) < 0)
    fail("KVM_SET_REGS");
}

void KvmVm::setSregs(const kvm_sregs &sregs) {
  if (ioctl(vcpu_.get(), KVM_SET_SREGS, &sregs) < 0)
    fail("KVM_SET_SREGS");
}

} // namespace ringside::kvm
