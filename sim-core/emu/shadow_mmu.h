#pragma once
// The emu backend's MMU. Unicorn 2.0.1 walks page tables for permissions but then uses the
// virtual address as the physical one (../shared/notes/unicorn.md, A.1), so the backend owns
// translation, exactly as a shadow-paging VMM does:
// - paging off: guest-physical RAM is mapped at identity, devices as MMIO regions;
// - paging on: Unicorn's address space *is* the guest's virtual address space. Each guest
//   mapping VA→PA becomes a Unicorn region at VA backed by host RAM at PA, and Unicorn's CR3
//   points to shadow page tables (in a hidden range) whose entries carry the guest's
//   permissions. Misses are filled from the guest's own tables by the page walker
//   (recorded as `walk` and `tlb` events); guest faults are handed back for injection.
#include "emu/guest_ram.h"
#include "emu/pte_change_watch.h"
#include "mmu/ept.h"
#include "mmu/mmu_model.h"
#include "mmu/page_walker.h"
#include "trace/events.h"

#include <unicorn/unicorn.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ringside::emu {

/// Devices behind guest-physical addresses that are not RAM.
class MmioBus {
public:
  virtual ~MmioBus() = default;
  virtual uint64_t mmioRead(uint64_t gpa, unsigned size) = 0;
  virtual void mmioWrite(uint64_t gpa, unsigned size, uint64_t value) = 0;
};

/// The hidden range holding shadow page tables: guests must not map virtual addresses here.
inline constexpr uint64_t kShadowBase = 0xFFC00000;
inline constexpr uint64_t kShadowSize = 0x400000;

/// Which memory model decides the emu backend's translations (`--mmu`, docs/memory.md).
/// Native: the guest's own tables, walked by this class (the default). Shadow / Ept: every
/// translation Unicorn asks for goes through MmuModel (TLB, then the shadow pager or the 2-D
/// walk over an EPT the VMM builds), whose answer is what gets mapped.
struct MmuOptions {
  MmuMode mode = MmuMode::Native;
  uint16_t vpid = 0;          ///< the guest's VPID; 0 when the VMCS does not enable VPIDs
  unsigned tlbEntries = 1536; ///< the modelled TLB (a second-level TLB's size)
};

class ShadowMmu {
public:
  using Recorder = std::function<void(EventBody)>;

  ShadowMmu(uc_engine *uc, GuestRam &ram, MmioBus &bus, Recorder record, MmuOptions options = {});
  ~ShadowMmu();

  /// The guest's paging registers changed (CR0, CR3, CR4 or EFER). Rebuilds the address
  /// space when paging was switched on or off; flushes on any change while paging is on.
  void setGuestPaging(const PagingState &guest);
  const PagingState &guestPaging() const { return guest_; }
  bool pagingOn() const { return pagingOn_; }
  /// The CR3 Unicorn must use while guest paging is on.
  uint64_t shadowRoot() const { return kShadowBase; }

  void flushAll();
  void flushPage(uint64_t va);

  /// Unicorn found no region at `va`. Maps one (a translated page, a device, or an absent
  /// page whose shadow entry makes Unicorn raise #PF). False with `error` set when it cannot.
  bool handleUnmapped(uint64_t va, Access access, std::string &error);

  struct FaultOutcome {
    bool inject = false; ///< a real guest #PF: inject with errorCode
    uint32_t errorCode = 0;
    bool failed = false;     ///< the MMU cannot continue (error holds why)
    bool tableWrite = false; ///< shadow: a write to a write-protected guest page table
    /// native: a window page got its first shadow entry since its last flush (progress, not
    /// a fault that repeats: an INVLPG loop faults on the same page again and again)
    bool windowFilled = false;
    /// ept: the walk ended in an EPT exit the backend must record (0: none)
    uint16_t eptExit = 0;
    uint64_t eptQualification = 0, eptGpa = 0;
    /// nested EPT: the exit (eptExit) is the nested guest's, to its guest hypervisor
    bool nestedEpt = false;
    std::optional<uint64_t> eptGla; ///< its guest-linear address, when the qualification says valid
    std::string error;
  };
  /// Unicorn raised #PF at `cr2` for `access`: refill the shadow from the guest's tables,
  /// or report the guest's own fault. `faultWrite`: the W/R bit of Unicorn's error code, which
  /// native mode uses for a page of a window touched for the first time (see fill()).
  FaultOutcome handlePageFault(uint64_t cr2, Access access,
                               std::optional<bool> faultWrite = std::nullopt);

  /// Native mode: Unicorn raised #PF at `va` on a page of a RAM window that has no shadow
  /// entry yet (shadow_mmu_window.cpp), where a page's own region would have had no region.
  bool windowMiss(uint64_t va);
  /// Does for such a page what handleUnmapped does for a page with no region: walks it and
  /// fills it (true), or leaves an absent page whose #PF reports the guest's fault (false,
  /// `error` empty), or cannot (false, `error` set).
  bool fillWindowMiss(uint64_t va, Access access, std::string &error);

  // --mmu shadow|ept (shadow_mmu_model.cpp).
  MmuMode mode() const { return options_.mode; }
  const MmuModel *model() const { return model_.get(); }
  /// A VM exit or entry at guest-linear `pc`: the modelled TLB loses its entries unless VPIDs
  /// are on. Unicorn's mappings are dropped too, so the next touch of each page asks the TLB
  /// again; not twice in a row at the same `pc` (see the .cpp). `dropMappings` false: the
  /// model's TLB only (from inside a Unicorn callback; a pending flush is applied at the next
  /// fault).
  void vmTransition(bool dropMappings = true, uint64_t pc = ~0ull);
  /// shadow: the #PF at `cr2` is a guest write to one of its write-protected page tables.
  /// The backend brackets one step of the instruction with begin/end: the page is writable
  /// for that step only, then the VMM's model performs the bytes that changed (emulation).
  bool beginTableWrite(uint64_t cr2, Access access);
  void endTableWrite();
  /// ept: the guest touched a device page at `gpa`: the EPT walk and the exit it causes
  /// (48 the first time, then 49 once the VMM has marked the page, as KVM does). Returns
  /// the exit reason, 0 when there is none.
  uint16_t eptDeviceAccess(uint64_t gpa, bool write, uint64_t &qualification);
  void resetModelCounters();

  // Nested EPT (shadow_mmu_nested_ept.cpp, native mode only).
  /// A guest hypervisor's nested guest runs with EPT on (`eptp`), or no longer does
  /// (nullopt). While it is set, every guest-physical address the guest uses goes through the
  /// EPT whose tables lie in guest RAM, and Unicorn runs with paging on even when the guest's
  /// CR0.PG is 0 (so that each page's EPT permissions can be enforced by a shadow entry).
  /// Takes effect at the next setGuestPaging(). False (and nothing changes) under --mmu
  /// shadow|ept, whose models do not compose with a second EPT.
  bool setNestedEpt(std::optional<uint64_t> eptp);
  bool nestedEptActive() const { return nestedEpt_.has_value(); }
  /// Counters for `run --json` (empty in native mode).
  std::map<std::string, uint64_t> modelCounters() const;

  /// Reads guest-linear memory through the guest's tables (no A/D updates); false on a fault.
  bool readLinear(uint64_t va, void *dst, size_t n);
  bool writeLinear(uint64_t va, const void *src, size_t n);
  /// Guest-linear → guest-physical for monitor accesses; nullopt on a fault.
  bool linearToPhysical(uint64_t va, bool write, uint64_t &pa);

private:
  enum class Kind { Ram, Mmio, Absent };
  struct Region {
    uint64_t size = 0;
    Kind kind = Kind::Ram;
    uint64_t pa = 0;
    /// RAM mapped ahead of the guest's translations (fill(), `window`): a page has a shadow
    /// entry only once translated, and native mode fills and flushes its pages one by one.
    bool window = false;
    std::unique_ptr<std::pair<ShadowMmu *, uint64_t>> mmioContext;
  };

  Translation walkForFill(uint64_t va, Access access);
  /// The 2-D walk of `va` over the nested EPT. Success: the translation to map (pa is in
  /// guest RAM) and its walk events recorded. Failure: `fault` says what the guest gets (an
  /// EPT exit or a #PF), and the events are recorded only when `recordFailure`.
  Translation nestedWalk(uint64_t va, Access access, bool recordFailure, FaultOutcome &fault);
  bool nestedLinearToPhysical(uint64_t va, bool write, uint64_t &pa);
  void mapIdentity();
  void unmapAll();
  /// Drops every region and shadow entry when Unicorn nears its limit of memory sections.
  void dropAllRegions();
  bool mapRegion(uint64_t va, uint64_t size, Kind kind, uint64_t pa, std::string &error);
  void unmapRegion(std::map<uint64_t, Region>::iterator it);
  std::map<uint64_t, Region>::iterator regionAt(uint64_t va);
  bool overlaps(uint64_t va, uint64_t size) const;
  /// `window`: map a RAM region as large as the 2 MiB around va allows (same VA→PA offset,
  /// no overlap) but fill only va's shadow entry: the other pages fault and are checked one
  /// by one. Unicorn 2.0.1 slows down sharply with thousands of small regions.
  bool fill(uint64_t va, const Translation &t, bool writeOverride, std::string &error,
            bool window = false);
  uint64_t shadowFlags(const Translation &t, bool writeOverride) const;
  // Native mode's windows (shadow_mmu_window.cpp): each page behaves as if it had a region of
  // its own, so the walks and TLB events are those of one region per page.
  bool windowFill(uint64_t va, const Translation &t, bool writeOverride, std::string &error);
  bool carvePage(uint64_t va, std::string &error);
  uint64_t *shadowPte(uint64_t va, bool create);
  void clearShadow(uint64_t va, uint64_t size);
  void resetShadow();

  // Model modes.
  void createModel();
  bool modelFill(uint64_t va, Access access, FaultOutcome &out);
  void applyModelFlushes();
  void modelSetPaging(const PagingState &now);
  void flushUnicornTlb();

  static uint64_t mmioReadCb(uc_engine *, uint64_t offset, unsigned size, void *ctx);
  static void mmioWriteCb(uc_engine *, uint64_t offset, unsigned size, uint64_t value, void *ctx);

  uc_engine *uc_;
  GuestRam &ram_;
  MmioBus &bus_;
  Recorder record_; ///< the backend's recorder, behind the PTE watch
  PteChangeWatch pteWatch_;
  PagingState guest_;
  bool pagingOn_ = false;
  bool long4_ = false;
  std::map<uint64_t, Region> regions_;
  struct FreeDeleter {
    void operator()(void *p) const { std::free(p); }
  };
  std::unique_ptr<uint64_t[], FreeDeleter> tables_; // hidden shadow-table pool, 4 KiB pages
  size_t tablesUsed_ = 0;
  std::unique_ptr<uint8_t[], FreeDeleter> absentPage_; // backs pages the guest does not map
  size_t unassignedPages_ = 0;

  MmuOptions options_;
  std::unique_ptr<HostMemory> host_; ///< guest RAM (external bytes) and the VMM's table pool
  std::unique_ptr<PageAllocator> pool_;
  std::unique_ptr<MmuModel> model_;
  bool modelFlushAll_ = false;  ///< the model flushed its TLB: drop Unicorn's copy
  uint64_t lastDropPc_ = ~0ull; ///< where vmTransition last dropped Unicorn's mappings
  std::vector<uint64_t> modelFlushPages_;
  PagingState modelPaging_; ///< the paging registers the model last saw
  /// ept: device pages the VMM has seen (their EPT entry is now a misconfiguration), with the
  /// qualification of a first violation that a 2-D walk found and that is still to be reported.
  std::map<uint64_t, std::optional<uint64_t>> devicePages_;
  std::optional<EptContext> nestedEpt_; ///< a guest hypervisor's EPT for its nested guest
  uint32_t nextNestedWalkId_ = 1;
  struct TableWrite {
    bool active = false;
    Access access;
    uint64_t page = 0; ///< guest-linear page being written
    uint64_t gpa = 0;  ///< its guest-physical page
    std::vector<uint8_t> before;
  } tableWrite_;
  struct LastFault { ///< a model fault seen in handleUnmapped, reported by handlePageFault
    bool valid = false;
    uint64_t page = 0;
    FaultOutcome outcome;
  } lastFault_;
};

} // namespace ringside::emu
