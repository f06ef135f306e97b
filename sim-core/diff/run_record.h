#pragma once
// What one backend's run of a guest leaves behind, in the form the differential test compares:
// the userspace-visible I/O and MMIO sequences, the final state and a per-page hash of RAM.
#include "backend/backend.h"
#include "trace/events.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ringside::diff {

/// One port access. String I/O reported as one event with a count (KVM: one exit for a whole
/// REP OUTSB) is expanded to one access per element; the event carries no per-element data,
/// so those values are unknown and compare equal to anything (the console text still compares
/// the bytes written to the console ports).
struct IoAccess {
  uint16_t port = 0;
  bool write = false;
  uint8_t size = 1;
  std::optional<uint32_t> value;
};

struct MmioAccess {
  uint64_t gpa = 0;
  bool write = false;
  uint8_t size = 1;
  uint64_t value = 0;
};

/// Guest page-table pages seen in walk events: page address → entry width in bytes.
using TablePages = std::map<uint64_t, uint8_t>;

struct RamDigest {
  std::vector<uint64_t> pageHashes; ///< one per 4 KiB page of RAM; 0 for excluded pages
  uint64_t total = 0;               ///< hash of pageHashes, for display
};

struct RunRecord {
  std::string backend;
  StopEvent stop;
  GuestRegs regs;
  std::string console;
  std::vector<IoAccess> io;
  std::vector<MmioAccess> mmio;
  TablePages tablePages;
  std::optional<RamDigest> ram; ///< nullopt: RAM not compared (ramNote says why)
  std::string ramNote;
};

/// Appends one byte-sized access per byte of an mmio event.
void appendMmio(std::vector<MmioAccess> &out, const MmioEvent &e);

/// Appends the accesses one io event stands for (count elements; none for count 0).
void appendIo(std::vector<IoAccess> &out, const IoEvent &event);

/// A trace listener that fills a record's io, mmio and tablePages while the guest runs.
class RecordCollector {
public:
  explicit RecordCollector(RunRecord &record) : record_(record) {}
  void operator()(const Event &event);

private:
  RunRecord &record_;
};

/// Clears Accessed and Dirty in every `entryBytes`-wide entry of a 4 KiB table page.
void maskAccessedDirty(uint8_t *page, unsigned entryBytes);

using PhysicalReader = std::function<bool(uint64_t gpa, void *dst, size_t n)>;

/// Hashes RAM page by page, skipping the excluded ranges (diff_masks.h) and masking A/D bits in
/// table pages. Returns nullopt, with `why` set, when a page cannot be read.
std::optional<RamDigest> hashRam(const PhysicalReader &read, uint64_t ramBytes,
                                 const TablePages &tablePages, std::string &why);

} // namespace ringside::diff
