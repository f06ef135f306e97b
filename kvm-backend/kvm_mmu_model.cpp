#include "kvm_mmu_model.h"

#include "errors.h"
#include "platform/layout.h"

#include <cstring>
#include <sys/mman.h>

namespace ringside::kvm {
namespace {

constexpr uint64_t kPage = 4096;
// The host-physical layout of the emu backend's model (shadow_mmu_model.cpp), so the same guest
// gives the same modelled addresses on both backends: guest RAM at 4 GiB, VMM tables at 64 GiB.
constexpr uint64_t kModelRamBase = 1ull << 32;
constexpr uint64_t kModelPoolBase = 1ull << 36;
// Accessed and dirty bits: KVM's own walks set them in the guest's entries, which is not a
// guest write a shadow-paging VMM would have to emulate.
constexpr uint64_t kAccessedDirty = (1u << 5) | (1u << 6);

uint64_t pageOf(uint64_t a) { return a & ~(kPage - 1); }

} // namespace

std::optional<MmuMode> kvmMmuMode(const std::string &name) {
  if (name.empty() || name == "native")
    return std::nullopt;
  if (name == "shadow")
    return MmuMode::Shadow;
  if (name == "ept")
    return MmuMode::Ept;
  throw InputError("--mmu: unknown memory model '" + name + "' (native, shadow or ept)");
}

KvmMemorySources kvmMemorySources(MmuMode mode) {
  constexpr const char *kReal =
      "the guest's page tables read from the VM's RAM at each userspace exit and checked with "
      "KVM_TRANSLATE (walk events with source kvm-translate); with --kernel-trace, the kernel's "
      "kvmmmu page-walk tracepoints (source kernel-trace)";
  if (mode == MmuMode::Ept)
    return {kReal, "the VMM's identity EPT over guest RAM and every 2-D walk through it (walk "
                   "events with source model sharing a walk_id); KVM ran the guest on its own MMU"};
  return {kReal, "the shadow pager: shadow tables, hidden and true faults, shadow walks (walk "
                 "events with source model); KVM ran the guest on its own MMU"};
}

struct KvmMmuModel::Copy {
  explicit Copy(size_t n) : size(n) {
    // Anonymous memory reads as zero and costs nothing until a page is written: only the guest's
    // table pages are ever copied in.
    void *p = ::mmap(nullptr, n, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
      throw InputError("--mmu: cannot map " + std::to_string(n >> 20) +
                       " MiB for the memory model's copy of guest RAM");
    bytes = static_cast<uint8_t *>(p);
  }
  ~Copy() { ::munmap(bytes, size); }
  uint8_t *bytes = nullptr;
  size_t size = 0;
};

KvmMmuModel::KvmMmuModel(MmuMode mode, std::span<const uint8_t> ram, Recorder record)
    : mode_(mode), ram_(ram), copy_(std::make_unique<Copy>(ram.size())),
      host_(std::make_unique<HostMemory>()) {
  host_->addExternalRegion(kModelRamBase, copy_->bytes, ram.size());
  // EPT: one PT page per 2 MiB of RAM; shadow: up to maxRoots address spaces of tables.
  pool_ = std::make_unique<PageAllocator>(*host_, kModelPoolBase,
                                          pageOf(ram.size() / 64) + (8ull << 20));
  // The VMM of the emu backend's default (kvm-like) profile: VPID 1, 4 KiB EPT pages, the VGA
  // window left out of the EPT as a device.
  MmuModelConfig c;
  c.mode = mode;
  c.vpid = 1;
  c.tlb.vpidEnabled = true;
  if (ram.size() > layout::kVgaBase)
    c.eptHoles.emplace_back(layout::kVgaBase, layout::kVgaSize);
  // Only the walks go to the trace: the model's TLB sees a handful of accesses per run, not the
  // guest's, so its fills and flushes would describe nothing the guest did (they are counted).
  model_ = std::make_unique<MmuModel>(*host_, GuestRamMap{ram.size(), kModelRamBase}, *pool_, c,
                                      [record = std::move(record)](EventBody body) {
                                        if (auto *walk = std::get_if<WalkEvent>(&body)) {
                                          walk->source = EventSource::Model;
                                          record(*walk);
                                        }
                                      });
}

KvmMmuModel::~KvmMmuModel() = default;

bool KvmMmuModel::syncTablePages(const WalkEvent &guestWalk) {
  for (unsigned i = 0; i < guestWalk.stepCount; ++i) {
    const uint64_t page = pageOf(guestWalk.steps[i].tableAddr);
    if (page + kPage <= ram_.size() && !seen_.count(page)) {
      auto contents = std::make_unique<uint8_t[]>(kPage);
      std::memcpy(contents.get(), ram_.data() + page, kPage);
      seen_.emplace(page, std::move(contents));
    }
  }
  // Every table page seen so far, not only this walk's: an edit of another one is what a
  // shadow-paging VMM would have trapped.
  bool protectedChanged = false;
  const ShadowPager *shadow = model_->shadow();
  for (auto &[page, last] : seen_) {
    const uint8_t *now = ram_.data() + page;
    if (std::memcmp(now, last.get(), kPage) != 0) {
      for (uint64_t off = 0; off < kPage; off += 8) {
        uint64_t a = 0, b = 0;
        std::memcpy(&a, now + off, 8);
        std::memcpy(&b, last.get() + off, 8);
        if ((a & ~kAccessedDirty) == (b & ~kAccessedDirty))
          continue;
        ++tableEntriesChanged_;
        protectedChanged |= shadow && shadow->writeProtected(page);
      }
      std::memcpy(last.get(), now, kPage);
    }
    // The model's own A/D updates are undone too: the copy follows the real tables.
    std::memcpy(copy_->bytes + page, now, kPage);
  }
  return protectedChanged;
}

void KvmMmuModel::observe(const PagingState &paging, uint64_t gva, Access access,
                          const WalkEvent &guestWalk) {
  ++observations_;
  const bool protectedChanged = syncTablePages(guestWalk);
  const bool modeChanged = !started_ || paging.cr0 != paging_.cr0 || paging.cr4 != paging_.cr4 ||
                           paging.efer != paging_.efer;
  if (modeChanged) {
    model_->setPaging(paging);
  } else if (protectedChanged) {
    // A shadow-paging VMM emulates each store to a protected table and drops what derived from
    // it. Those stores happened inside KVM, unseen: the model drops every shadow instead.
    model_->setPaging(paging);
    ++shadowResyncs_;
  } else if (paging.cr3 != paging_.cr3) {
    model_->movCr3(paging.cr3);
  }
  started_ = true;
  paging_ = paging;
  model_->access(gva, access);
}

void KvmMmuModel::deviceAccess(uint64_t gpa, bool write) {
  if (mode_ != MmuMode::Ept)
    return;
  if (model_->eptAccess(gpa, write, false).outcome == EptOutcome::Violation)
    model_->markEptMmio(gpa);
}

std::map<std::string, uint64_t> KvmMmuModel::counters() const {
  std::map<std::string, uint64_t> out = model_->counterMap();
  // Guest table stores happen inside KVM, unseen: the model emulates none of them.
  out.erase("emulated_writes");
  out["observations"] = observations_;
  out["guest_table_entries_changed"] = tableEntriesChanged_;
  if (model_->shadow())
    out["shadow_resyncs"] = shadowResyncs_;
  return out;
}

} // namespace ringside::kvm
