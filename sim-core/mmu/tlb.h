#pragma once
// The TLB model: a fully associative set of translations tagged by VPID (and by EPTP for
// combined guest-linear → host-physical mappings), least-recently-used replacement, and the
// flushes the architecture requires: MOV CR3 and INVLPG inside one address space, every VM
// entry and exit when VPIDs are off, INVEPT and INVVPID. Each lookup, fill and flush can be
// recorded as a `tlb` event. Paging-structure caches are not modelled: a miss is always a full
// walk, so reference counts stay the textbook ones.
#include "trace/events.h"
#include "vmx/vmx_instructions.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

namespace ringside {

struct TlbConfig {
  unsigned entries = 64;   ///< capacity (fully associative)
  bool vpidEnabled = true; ///< the "enable VPID" control: entries survive VM exits and entries
};

struct TlbEntry {
  uint64_t vaBase = 0; ///< page-aligned linear address
  uint64_t paBase = 0; ///< page-aligned physical address (host-physical under EPT)
  uint64_t pageSize = 4096;
  uint16_t vpid = 0; ///< 0: the host's (or an untagged guest's)
  uint64_t eptp = 0; ///< 0: not a combined (EPT) mapping
  bool writable = true, user = true, executable = true;
  bool dirty = true;    ///< the D flag is set: a write may use the entry as it is
  uint64_t lastUse = 0; ///< for LRU
};

struct TlbCounters {
  uint64_t hits = 0, misses = 0, fills = 0, evictions = 0, flushes = 0, entriesFlushed = 0;
};

class Tlb {
public:
  using Recorder = std::function<void(EventBody)>;
  explicit Tlb(TlbConfig config = {}, Recorder record = {});

  /// The entry translating `va` in address space (vpid, eptp), or nullopt; counts and records a
  /// hit or a miss. A hit does not check permissions (the caller does, as the CPU would).
  std::optional<TlbEntry> lookup(uint64_t va, uint16_t vpid = 0, uint64_t eptp = 0);
  /// Caches a translation (evicting the least recently used entry when full).
  void fill(TlbEntry entry);

  // The events that flush (SDM "Invalidation of TLBs and paging-structure caches").
  void movCr3(uint16_t vpid = 0); ///< all entries of the current VPID
  /// All entries of `vpid`, for another reason (a paging-mode change, a VMM's own flush).
  void flushVpid(uint16_t vpid, TlbCause cause);
  void invlpg(uint64_t va, uint16_t vpid = 0);   ///< the entries for va in the current VPID
  void vmTransition();                           ///< VM entry or exit: everything, unless VPID on
  void invept(uint32_t type, uint64_t eptp = 0); ///< 1: entries of that EPTP, 2: all
  /// 0: one address of `vpid`, 1 and 3: all of `vpid`, 2: every VPID but 0.
  void invvpid(uint32_t type, uint16_t vpid, uint64_t va = 0);
  /// What the VT-x model says an accepted INVEPT or INVVPID flushes.
  void apply(const TlbFlush &flush);

  const TlbConfig &config() const { return config_; }
  const TlbCounters &counters() const { return counters_; }
  const std::vector<TlbEntry> &entries() const { return entries_; }

private:
  template <typename Pred>
  void flushIf(Pred pred, TlbOp op, TlbCause cause, uint64_t va, uint16_t vpid);
  void emit(TlbEvent e) {
    if (record_)
      record_(e);
  }
  TlbConfig config_;
  Recorder record_;
  std::vector<TlbEntry> entries_;
  TlbCounters counters_;
  uint64_t clock_ = 0;
};

} // namespace ringside
