#pragma once
// The shadow-paging model: what a VMM without EPT does so the guest can run on its own page
// tables. The hardware walks *shadow* tables (GVA → HPA) that the VMM composes from the guest's
// tables (GVA → GPA) and its own map (GPA → HPA):
// - a shadow miss is a VM exit (#PF); the VMM walks the guest's tables and either builds the
//   shadow entry (a *hidden* fault, the guest never knows) or reflects a *true* #PF;
// - guest page-table pages are write-protected in the shadow, so the guest's edits to them
//   exit and are emulated, and the shadow entries derived from the edited entry are dropped;
// - INVLPG resyncs the entry for one address, MOV CR3 switches to the new address space's
//   shadow root (kept in a small cache) and resyncs what is out of sync.
// With `unsyncLeafTables` (KVM's optimisation) the guest's last-level tables stay writable:
// edits cost no exit, and the shadow catches up only at INVLPG or MOV CR3.
// Shadow tables are 4-level with 4 KiB leaves whatever the guest uses (large guest pages are
// shadowed one 4 KiB page at a time). Modelled, not measured; see docs/memory.md.
#include "mmu/host_memory.h"
#include "mmu/page_walker.h"
#include "trace/events.h"

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <vector>

namespace ringside {

struct ShadowConfig {
  unsigned maxRoots = 4;         ///< shadow roots cached (one per guest CR3), LRU-evicted
  bool unsyncLeafTables = false; ///< leave the guest's PT-level tables writable (resync later)
};

struct ShadowCounters {
  uint64_t exits = 0;          ///< VM exits the model caused: #PF, MOV CR3, INVLPG
  uint64_t hiddenFaults = 0;   ///< shadow faults fixed without the guest knowing
  uint64_t trueFaults = 0;     ///< faults reflected to the guest (#PF, or #GP non-canonical)
  uint64_t emulatedWrites = 0; ///< guest writes to write-protected page tables
  uint64_t guestWalks = 0;     ///< walks of the guest's tables by the VMM
  uint64_t entriesBuilt = 0;   ///< shadow entries written, all levels
  uint64_t tablesAllocated = 0;
  uint64_t entriesZapped = 0;  ///< shadow leaves dropped
  uint64_t writeProtected = 0; ///< shadow leaves made read-only (their frame became a table)
  uint64_t resynced = 0;       ///< shadow leaves re-checked against the guest's tables
  uint64_t rootsBuilt = 0, rootsReused = 0;
};

struct ShadowAccess {
  bool ok = false;
  uint64_t gpa = 0, hpa = 0;
  bool hiddenFault = false;       ///< the access exited and the VMM fixed the shadow
  bool trueFault = false;         ///< the guest takes the fault
  bool generalProtection = false; ///< …as #GP (non-canonical), not #PF
  bool emulated = false;          ///< a write to a write-protected page table, done by the VMM
  bool notRam = false;            ///< the guest maps a GPA outside RAM (MMIO, not modelled here)
  uint32_t errorCode = 0;         ///< #PF error code for a true fault
  uint64_t cr2 = 0;               ///< CR2 for a true #PF
  WalkEvent shadowWalk;           ///< the processor's walk of the shadow tables (the last one)
};

class ShadowPager {
public:
  using Recorder = std::function<void(EventBody)>;
  ShadowPager(HostMemory &host, GuestRamMap ram, PageAllocator &shadowPages,
              ShadowConfig config = {}, Recorder record = {});

  /// The guest's paging registers (initial state, or MOV to CR0/CR4/EFER): drops every shadow.
  void setPaging(const PagingState &guest);
  /// The guest writes CR3 (an exit): switch to that address space's shadow root.
  void movCr3(uint64_t cr3);
  /// The guest executes INVLPG (an exit): resync the shadow entry for `gva`.
  void invlpg(uint64_t gva);
  /// One guest access. For a write, `data` (n bytes, within one page) is stored: natively
  /// through the shadow, or by the VMM when the page is a write-protected page table.
  ShadowAccess access(uint64_t gva, Access a, const void *data = nullptr, size_t n = 0);

  const ShadowCounters &counters() const { return counters_; }
  void resetCounters() { counters_ = {}; }
  const PagingState &guestPaging() const { return guest_; }
  /// The paging state the processor really uses: 4-level, CR3 = the current shadow root.
  PagingState hardwarePaging() const;
  bool writeProtected(uint64_t gpa) const; ///< the guest frame is a shadowed page table
  size_t shadowLeaves() const;             ///< shadow leaves in the current root

private:
  struct Leaf {
    std::array<uint64_t, 4> guestEntries{}; ///< GPAs of the guest entries it derives from
    uint8_t count = 0;
    uint8_t leafLevel = 1; ///< the guest level of the last entry (1, or 2/3 for large pages)
    uint64_t frame = 0;    ///< guest frame it maps (GPA of the 4 KiB page)
  };
  struct Root {
    uint64_t hpa = 0;
    uint64_t lastUse = 0;
    std::map<uint64_t, Leaf> leaves; ///< by GVA page
    std::vector<uint64_t> tables;    ///< shadow table pages, the root first
  };

  Root &current();
  void recordWalk(WalkEvent e, WalkPurpose purpose);
  Translation guestWalk(uint64_t gva, Access a, bool updateAd);
  bool buildLeaf(Root &root, uint64_t gva, const Translation &g);
  /// Host address of the shadow PTE for gva (creating tables when asked); 0 when absent.
  uint64_t shadowEntry(Root &root, uint64_t gva, bool create);
  void zapLeaf(Root &root, uint64_t page);
  void resyncLeaf(Root &root, uint64_t page);
  void dropRoot(std::map<uint64_t, Root>::iterator it);
  void protect(uint64_t frame);
  void addRefs(const Leaf &leaf, int delta);
  bool unsyncedEntry(const Leaf &leaf, unsigned i) const;

  HostMemory &host_;
  GuestRamMap ram_;
  GuestPhysicalView guestMemory_;
  PageAllocator &pages_;
  ShadowConfig config_;
  Recorder record_;
  PagingState guest_;
  std::map<uint64_t, Root> roots_; ///< by guest CR3 (its table address)
  uint64_t currentCr3_ = 0;
  uint64_t clock_ = 0;
  std::map<uint64_t, unsigned>
      protected_; ///< write-protected guest frames → shadow leaves using them
  std::map<uint64_t, unsigned> unsynced_; ///< unsynced (writable) guest PT frames → leaves
  ShadowCounters counters_;
};

} // namespace ringside
