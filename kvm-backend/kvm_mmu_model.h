#pragma once
// `--mmu shadow|ept` on the kvm backend: Ringside's memory model run *beside* the guest. KVM
// executes the guest on its own MMU (shadow paging on PVM, EPT/NPT on VMX/SVM hosts) and shows
// neither the shadow nor the EPT tables, so nothing here drives execution. At each access the
// backend sees (the exit RIP's fetch at a userspace exit, walked over the guest's real tables and
// cross-checked with KVM_TRANSLATE), the model makes the same access the way the emu backend's
// modelled VMM would: a 2-D walk under an identity EPT over guest RAM, or the shadow pager's
// hidden fault and shadow walk. Its walk events are labelled `model`. See docs/kvm-backend.md.
#include "mmu/mmu_model.h"
#include "mmu/page_walker.h"
#include "trace/events.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace ringside::kvm {

/// --mmu's value on the kvm backend: nullopt for "native" (no model), else Shadow or Ept.
/// Throws InputError for an unknown name.
std::optional<MmuMode> kvmMmuMode(const std::string &name);

/// What `run --json` says about the memory data of a kvm run with a model: which parts are read
/// from the guest and the kernel, and which are modelled.
struct KvmMemorySources {
  const char *real;
  const char *modelled;
};
KvmMemorySources kvmMemorySources(MmuMode mode);

class KvmMmuModel {
public:
  using Recorder = std::function<void(EventBody)>;
  /// `mode` is Shadow or Ept; `ram` is the VM's RAM, only ever read: the model works on its own
  /// copy, so its Accessed/Dirty updates never reach the guest.
  KvmMmuModel(MmuMode mode, std::span<const uint8_t> ram, Recorder record);
  ~KvmMmuModel();
  KvmMmuModel(const KvmMmuModel &) = delete;
  KvmMmuModel &operator=(const KvmMmuModel &) = delete;

  /// One access the guest made, seen at an exit: the paging registers then, and the guest's own
  /// walk of the address over the real RAM (whose table pages are refreshed in the copy first).
  void observe(const PagingState &paging, uint64_t gva, Access access, const WalkEvent &guestWalk);

  /// ept: a device access KVM_EXIT_MMIO reported (guest-physical only). The modelled VMM leaves
  /// device pages out of its EPT, so the first access to a page is an EPT violation; it then
  /// installs a misconfigured entry, so later ones are misconfigurations (as on emu). A recorded
  /// EPT walk, labelled model; nothing under shadow.
  void deviceAccess(uint64_t gpa, bool write);

  /// The model's counters, named as the emu backend's `memory.model`, plus what the kvm side
  /// adds (observations, guest table entries seen changed between exits, shadow resyncs).
  std::map<std::string, uint64_t> counters() const;
  MmuMode mode() const { return mode_; }

private:
  struct Copy; // the model's copy of guest RAM (anonymous mapping, filled lazily)
  /// Refreshes the known guest table pages from the real RAM; true when an entry changed in a
  /// page the shadow pager write-protects (other than its Accessed/Dirty bits).
  bool syncTablePages(const WalkEvent &guestWalk);

  MmuMode mode_;
  std::span<const uint8_t> ram_;
  std::unique_ptr<Copy> copy_;
  std::unique_ptr<HostMemory> host_;
  std::unique_ptr<PageAllocator> pool_;
  std::unique_ptr<MmuModel> model_;
  std::map<uint64_t, std::unique_ptr<uint8_t[]>> seen_; ///< table page → its last real contents
  PagingState paging_;
  bool started_ = false;
  uint64_t observations_ = 0;
  uint64_t tableEntriesChanged_ = 0; ///< guest table entries changed between two observations
  uint64_t shadowResyncs_ = 0;       ///< shadows dropped because a protected table changed
};

} // namespace ringside::kvm
