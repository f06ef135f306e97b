#pragma once
// One guest memory access as the processor and the VMM handle it, in one of three modes:
// `native` (the guest's own tables, no VMM), `shadow` (ShadowPager) or `ept` (the 2-D walk under
// an EPT the VMM builds over guest RAM). A tagged TLB sits in front of all three: a hit costs no
// walk, a miss walks and fills. The counters are the ones `ringside run --json` is to report
// (walks, TLB hits and misses, hidden and true shadow faults, EPT violations, page-walk memory
// references). This is the piece the emu backend's `--mmu native|shadow|ept` is meant to drive.
#include "mmu/ept.h"
#include "mmu/ept_builder.h"
#include "mmu/host_memory.h"
#include "mmu/shadow_pager.h"
#include "mmu/tlb.h"
#include "mmu/walk_2d.h"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace ringside {

enum class MmuMode : uint8_t { Native, Shadow, Ept };
const char *mmuModeName(MmuMode mode); ///< "native", "shadow", "ept"

struct MmuModelConfig {
  MmuMode mode = MmuMode::Native;
  TlbConfig tlb;
  uint16_t vpid = 1;           ///< the guest's VPID (0 when VPIDs are off)
  uint64_t eptPageSize = 4096; ///< ept: the VMM maps guest RAM with 4 KiB or 2 MiB pages
  bool eptAccessedDirty = false;
  /// ept: guest-physical ranges [first, first + second) the VMM leaves out of the EPT
  /// (device windows inside RAM, such as VGA): accesses there exit.
  std::vector<std::pair<uint64_t, uint64_t>> eptHoles;
  ShadowConfig shadow;
};

struct MmuCounters {
  uint64_t accesses = 0;
  uint64_t tlbHits = 0, tlbMisses = 0;
  uint64_t walks = 0;    ///< walk events (guest, shadow and EPT walks each count)
  uint64_t walkRefs = 0; ///< page-walk memory references, all walks
  uint64_t pageFaults = 0, generalProtection = 0;
  uint64_t hiddenFaults = 0, trueFaults = 0; ///< shadow mode
  uint64_t eptViolations = 0, eptMisconfigs = 0;
};

enum class MmuFault : uint8_t { None, PageFault, GeneralProtection, EptViolation, EptMisconfig };

struct MmuAccess {
  bool ok = false;
  bool tlbHit = false;
  uint64_t hpa = 0; ///< where the access goes in host memory (the guest's RAM copy)
  MmuFault fault = MmuFault::None;
  uint32_t errorCode = 0;     ///< #PF
  uint64_t cr2 = 0;           ///< #PF
  uint64_t qualification = 0; ///< EPT violation
  uint64_t faultGpa = 0;      ///< EPT violation / misconfiguration
  bool notRam = false;        ///< the translation leads outside guest RAM (MMIO: not modelled)
  uint64_t gpa = 0;           ///< the guest-physical address (when ok, or notRam in shadow mode)
  // What the TLB holds for the page (when ok): size and the rights the processor enforces.
  uint64_t pageSize = 0;
  bool writable = false, user = false, executable = false, dirty = false;
};

/// A guest-physical access checked against the EPT alone (an access with no linear address,
/// such as a device access the VMM emulates): the walk's outcome as VM exit information.
struct EptGpaAccess {
  EptOutcome outcome = EptOutcome::Ok;
  uint64_t qualification = 0;
};

class MmuModel {
public:
  using Recorder = std::function<void(EventBody)>;
  /// Guest RAM [0, ram.ramSize) lives at host-physical ram.hostBase in `host`; the VMM's own
  /// tables (EPT or shadow) come from `pool`.
  MmuModel(HostMemory &host, GuestRamMap ram, PageAllocator &pool, const MmuModelConfig &config,
           Recorder record = {});

  void setPaging(const PagingState &guest); ///< MOV to CR0/CR4/EFER, or the initial state
  void movCr3(uint64_t cr3);
  void invlpg(uint64_t gva);
  void vmExit(); ///< VM exits and entries flush the TLB when VPIDs are off
  void vmEntry();
  void invept(uint32_t type);
  void invvpid(uint32_t type, uint64_t gva = 0);

  /// One access. In shadow mode a write that carries `data` (n bytes within one page) is
  /// stored: by the VMM when the page is a write-protected guest page table (emulated).
  MmuAccess access(uint64_t gva, Access access, const void *data = nullptr, size_t n = 0);

  /// ept: one EPT walk of `gpa` (recorded, counted), with `glaValid` / `finalTranslation` as
  /// the exit qualification's bits 7 and 8.
  EptGpaAccess eptAccess(uint64_t gpa, bool write, bool fetch, bool glaValid = true);
  /// ept: what KVM does after the first EPT violation on a device page: install a
  /// misconfigured entry (write-only), so later accesses exit as EPT misconfigurations.
  void markEptMmio(uint64_t gpa);

  const MmuCounters &counters() const { return counters_; }
  /// Zeroes the counters (and the shadow pager's): what follows is counted from here.
  void resetCounters();
  /// The counters (the shadow pager's too, under shadow) by the names `run --json` reports.
  std::map<std::string, uint64_t> counterMap() const;
  const Tlb &tlb() const { return tlb_; }
  const ShadowPager *shadow() const { return shadow_.get(); }
  uint64_t eptp() const { return eptp_; }
  MmuMode mode() const { return config_.mode; }

private:
  void count(const WalkEvent &e);
  MmuAccess walk(uint64_t gva, Access a, const void *data, size_t n);
  bool permits(const TlbEntry &e, const Access &a) const;

  HostMemory &host_;
  GuestRamMap ram_;
  GuestPhysicalView guestMemory_;
  MmuModelConfig config_;
  Recorder record_;
  Tlb tlb_;
  std::unique_ptr<ShadowPager> shadow_;
  std::unique_ptr<EptBuilder> eptBuilder_;
  uint64_t eptp_ = 0;
  PagingState guest_;
  uint32_t nextWalkId_ = 1;
  MmuCounters counters_;
};

} // namespace ringside
