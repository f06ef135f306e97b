// Walk events at userspace exits: the guest's own tables, read by Ringside's page walker over the
// VM's RAM, cross-checked with KVM_TRANSLATE (which walks the same tables inside the kernel).
#include "kvm_backend.h"
#include "platform/layout.h"

#include <cstring>
#include <sys/ioctl.h>

namespace ringside::kvm {
namespace {

constexpr uint64_t kCr0Pe = 1u << 0, kCr0Pg = 1ull << 31, kEferLma = 1u << 10, kRflagsVm = 1u << 17;

/// Guest RAM for the walker, read-only: recording a walk must not set Accessed/Dirty bits the
/// guest's own execution did not set.
class GuestRam final : public PhysicalMemory {
public:
  explicit GuestRam(std::span<uint8_t> ram) : ram_(ram) {}
  bool read(uint64_t pa, void *dst, size_t n) const override {
    const uint64_t vgaEnd = layout::kVgaBase + layout::kVgaSize;
    if (pa >= ram_.size() || n > ram_.size() - pa || (pa < vgaEnd && pa + n > layout::kVgaBase))
      return false;
    std::memcpy(dst, ram_.data() + pa, n);
    return true;
  }
  bool write(uint64_t, const void *, size_t) override { return false; }

private:
  std::span<uint8_t> ram_;
};

} // namespace

KvmBackend::CpuView KvmBackend::cpuView() const {
  kvm_regs regs;
  kvm_sregs sregs;
  if (synced_) {
    regs = vm_->run()->s.regs.regs;
    sregs = vm_->run()->s.regs.sregs;
  } else { // before the first exit SYNC_REGS holds nothing yet
    regs = vm_->getRegs();
    sregs = vm_->getSregs();
  }
  CpuView v;
  v.linearRip = sregs.cs.base + regs.rip;
  v.rflags = regs.rflags;
  // Real mode runs at CPL 0, virtual-8086 mode at 3; otherwise CS.RPL is the CPL.
  if (!(sregs.cr0 & kCr0Pe))
    v.cpl = 0;
  else if (regs.rflags & kRflagsVm)
    v.cpl = 3;
  else
    v.cpl = static_cast<uint8_t>(sregs.cs.selector & 3);
  v.code64 = (sregs.efer & kEferLma) && sregs.cs.l;
  v.code32 = !v.code64 && sregs.cs.db && (sregs.cr0 & kCr0Pe);
  const uint64_t rsp = v.code64      ? regs.rsp
                       : sregs.ss.db ? regs.rsp & 0xFFFFFFFF
                                     : regs.rsp & 0xFFFF;
  v.linearStack = sregs.ss.base + rsp;
  v.paging = PagingState{sregs.cr0, sregs.cr3, sregs.cr4, sregs.efer};
  return v;
}

bool KvmBackend::readLinear(const CpuView &view, uint64_t linear, void *dst, size_t n) const {
  GuestRam ram(vm_->ram());
  auto *out = static_cast<uint8_t *>(dst);
  while (n > 0) { // page by page: the bytes may straddle two pages
    const size_t chunk = std::min<uint64_t>(n, 0x1000 - (linear & 0xFFF));
    Translation t = translate(view.paging, ram, linear, Access{}, false);
    if (!t.ok || !ram.read(t.pa, out, chunk))
      return false;
    out += chunk, linear += chunk, n -= chunk;
  }
  return true;
}

// One walk per (CR3, page) per run, so a loop of OUTs records one walk, not one per exit.
// For MMIO only the guest-physical address is known, so only the RIP is walked there too.
void KvmBackend::walkExitRip() {
  const CpuView view = cpuView();
  if (!(view.paging.cr0 & kCr0Pg))
    return;
  if (!walkedPages_.insert({view.paging.cr3, view.linearRip >> 12}).second) {
    ++debug_["walks_skipped_repeat"];
    return;
  }
  GuestRam ram(vm_->ram());
  const Access fetch{false, view.cpl == 3, true};
  Translation t = translate(view.paging, ram, view.linearRip, fetch,
                            /*updateAccessedDirty=*/false);
  kvm_translation kt{};
  kt.linear_address = view.linearRip;
  if (ioctl(vm_->vcpuFd(), KVM_TRANSLATE, &kt) == 0) {
    const bool agree = (t.ok == bool(kt.valid)) && (!t.ok || t.pa == kt.physical_address);
    ++debug_[agree ? "walks_agreeing_with_kvm_translate" : "walks_disagreeing_with_kvm_translate"];
  } else {
    ++debug_["kvm_translate_failures"];
  }
  WalkEvent walk = t.event; // the walker's result is recorded even when KVM disagrees
  walk.source = EventSource::KvmTranslate;
  record(walk);
  ++debug_["walks_recorded"];
  if (mmuModel_) // the same access through the modelled VMM (events labelled model)
    mmuModel_->observe(view.paging, view.linearRip, fetch, t.event);
}

void KvmBackend::prepareMmuModel(bool resumed) {
  const auto mode = kvmMmuMode(config_.mmu);
  if (!mode) {
    mmuModel_.reset();
    return;
  }
  const auto ram = vm_->ram();
  // A continuation keeps its model (and counters), unless the VM and its RAM were replaced.
  if (resumed && mmuModel_ && mmuModelRam_.data() == ram.data())
    return;
  mmuModelRam_ = ram;
  mmuModel_ =
      std::make_unique<KvmMmuModel>(*mode, ram, [this](EventBody b) { record(std::move(b)); });
}

} // namespace ringside::kvm
