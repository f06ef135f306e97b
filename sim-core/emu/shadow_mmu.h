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
#include "mmu/page_walker.h"
#include "trace/events.h"

#include <unicorn/unicorn.h>

#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
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

class ShadowMmu {
public:
  using Recorder = std::function<void(EventBody)>;

  ShadowMmu(uc_engine *uc, GuestRam &ram, MmioBus &bus, Recorder record);
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
    bool failed = false; ///< the MMU cannot continue (error holds why)
    std::string error;
  };
  /// Unicorn raised #PF at `cr2` for `access`: refill the shadow from the guest's tables,
  /// or report the guest's own fault.
  FaultOutcome handlePageFault(uint64_t cr2, Access access);

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
    std::unique_ptr<std::pair<ShadowMmu *, uint64_t>> mmioContext;
  };

  Translation walkForFill(uint64_t va, Access access);
  void mapIdentity();
  void unmapAll();
  bool mapRegion(uint64_t va, uint64_t size, Kind kind, uint64_t pa, std::string &error);
  void unmapRegion(std::map<uint64_t, Region>::iterator it);
  std::map<uint64_t, Region>::iterator regionAt(uint64_t va);
  bool overlaps(uint64_t va, uint64_t size) const;
  bool fill(uint64_t va, const Translation &t, bool writeOverride, std::string &error);
  uint64_t shadowFlags(const Translation &t, bool writeOverride) const;
  uint64_t *shadowPte(uint64_t va, bool create);
  void clearShadow(uint64_t va, uint64_t size);
  void resetShadow();

  static uint64_t mmioReadCb(uc_engine *, uint64_t offset, unsigned size, void *ctx);
  static void mmioWriteCb(uc_engine *, uint64_t offset, unsigned size, uint64_t value, void *ctx);

  uc_engine *uc_;
  GuestRam &ram_;
  MmioBus &bus_;
  Recorder record_;
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
};

} // namespace ringside::emu
