// The vCPU state beyond KVM_GET_REGS/SREGS that a snapshot needs (FPU/SSE, MSRs, pending
// events), and the dirty-page log of the RAM slots that live migration reads each round.
#include "kvm_vm.h"

#include "errors.h"
#include "util/hex.h"

#include <cerrno>
#include <cstring>
#include <string>
#include <sys/ioctl.h>

namespace ringside::kvm {
namespace {

[[noreturn]] void fail(const std::string &what) {
  throw InputError("kvm backend: " + what + " failed: " + std::strerror(errno));
}

// kvm_msrs ends in a flexible array, which C++ lays out differently (see setCpuid in
// kvm_vm.cpp): use the kernel's layout, an 8-byte header then the entries, one MSR at a time.
struct OneMsr {
  uint32_t nmsrs = 1, pad = 0;
  kvm_msr_entry entry{};
};
static_assert(sizeof(OneMsr) == 8 + sizeof(kvm_msr_entry));
const unsigned long kGetMsrs = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x88, 8);
const unsigned long kSetMsrs = _IOC(_IOC_WRITE, KVMIO, 0x89, 8);

} // namespace

kvm_fpu KvmVm::getFpu() const {
  kvm_fpu fpu{};
  if (ioctl(vcpu_.get(), KVM_GET_FPU, &fpu) < 0)
    fail("KVM_GET_FPU");
  return fpu;
}

void KvmVm::setFpu(const kvm_fpu &fpu) {
  if (ioctl(vcpu_.get(), KVM_SET_FPU, &fpu) < 0)
    fail("KVM_SET_FPU");
}

kvm_vcpu_events KvmVm::getEvents() const {
  kvm_vcpu_events events{};
  if (ioctl(vcpu_.get(), KVM_GET_VCPU_EVENTS, &events) < 0)
    fail("KVM_GET_VCPU_EVENTS");
  return events;
}

void KvmVm::setEvents(const kvm_vcpu_events &events) {
  kvm_vcpu_events copy = events;
  // Only what KVM_GET_VCPU_EVENTS filled in is valid to set back; flags say which parts.
  if (ioctl(vcpu_.get(), KVM_SET_VCPU_EVENTS, &copy) < 0)
    fail("KVM_SET_VCPU_EVENTS");
}

std::vector<std::pair<uint32_t, uint64_t>> KvmVm::getMsrs(std::span<const uint32_t> indices) const {
  std::vector<std::pair<uint32_t, uint64_t>> out;
  for (uint32_t index : indices) {
    OneMsr m;
    m.entry.index = index;
    if (ioctl(vcpu_.get(), kGetMsrs, &m) == 1) // the number of MSRs read
      out.emplace_back(index, m.entry.data);
  }
  return out;
}

void KvmVm::setMsrs(const std::vector<std::pair<uint32_t, uint64_t>> &msrs) {
  for (const auto &[index, value] : msrs) {
    OneMsr m;
    m.entry.index = index;
    m.entry.data = value;
    if (ioctl(vcpu_.get(), kSetMsrs, &m) != 1)
      throw InputError("kvm backend: KVM_SET_MSRS refused MSR " + hex(index) + " = " + hex(value));
  }
}

void KvmVm::setDirtyLogging(bool on) {
  if (on == dirtyLogging_)
    return;
  for (const Slot &slot : slots_)
    setSlot(slot, on ? KVM_MEM_LOG_DIRTY_PAGES : 0);
  dirtyLogging_ = on;
}

std::vector<uint64_t> KvmVm::fetchDirtyLog() {
  if (!dirtyLogging_)
    throw InputError("dirty logging is off");
  std::vector<uint64_t> pages;
  for (const Slot &slot : slots_) {
    const uint64_t slotPages = slot.size / 4096;
    std::vector<uint64_t> bitmap((slotPages + 63) / 64, 0);
    kvm_dirty_log log{};
    log.slot = slot.id;
    log.dirty_bitmap = bitmap.data();
    if (ioctl(vm_.get(), KVM_GET_DIRTY_LOG, &log) < 0)
      fail("KVM_GET_DIRTY_LOG");
    for (uint64_t p = 0; p < slotPages; ++p)
      if (bitmap[p / 64] >> (p % 64) & 1)
        pages.push_back(slot.gpa / 4096 + p);
  }
  return pages;
}

} // namespace ringside::kvm
