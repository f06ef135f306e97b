#pragma once
// A whole machine as a snapshot holds it, independent of the backend that wrote it: what the
// machine is (META), its guest RAM (RAM, a base image or a copy-on-write delta against a
// parent file), and backend sections the backend alone reads (CPU, VMCS, DEVS, CLCK …).
// docs/snapshots.md describes every field.
#include "snapshot/snapshot_file.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ringside::snapshot {

inline constexpr uint64_t kPageBytes = 4096;
inline constexpr int kMaxChainDepth = 16;

struct MachineState {
  std::string backend;   ///< "emu" or "kvm": only that backend restores it
  std::string imagePath; ///< the guest image it was started from (informational)
  uint64_t entry = 0;
  uint8_t entryMode = 0; ///< EntryMode as a number
  uint64_t ramMiB = 0;
  std::string virt;          ///< the technique (--virt)
  uint64_t instructions = 0; ///< guest instructions retired when it was taken
  uint64_t nextSeq = 0;      ///< trace sequence number the next event gets
  std::vector<uint8_t> ram;  ///< all of guest RAM (ramMiB MiB)
  /// Backend sections by tag (4 characters), e.g. "CPU ", "VMCS", "DEVS", "CLCK".
  std::map<std::string, std::vector<uint8_t>> sections;

  /// The backend section `tag`; throws SnapshotError naming `who` ("emu snapshot") and the tag
  /// when the file lacks it.
  const std::vector<uint8_t> &section(const char *tag, const char *who) const;
};

struct SaveStats {
  uint64_t pagesTotal = 0;  ///< pages of guest RAM
  uint64_t pagesStored = 0; ///< pages written to the file (base: non-zero; delta: changed)
  uint64_t bytes = 0;       ///< file size
  bool delta = false;
};

/// Writes `state` to `path`. With `parentPath`, writes a delta holding only the pages that
/// differ from that snapshot's RAM (copy-on-write), and records the parent's name and RAM
/// checksum so a restore can tell a replaced parent.
SaveStats saveState(const MachineState &state, const std::string &path,
                    const std::string &parentPath = "");
/// Reads `path`, following its parent chain. Throws SnapshotError naming the file, section
/// and offset of what is wrong.
MachineState loadState(const std::string &path);

/// What `ringside snapshot info` prints.
struct FileInfo {
  uint32_t version = 0;
  struct Entry {
    std::string tag;
    uint64_t offset = 0, length = 0;
    uint32_t crc = 0;
  };
  std::vector<Entry> sections;
  std::string backend, imagePath, virt, parent;
  uint64_t ramMiB = 0, instructions = 0, nextSeq = 0, pagesStored = 0;
  bool delta = false;
};
FileInfo inspect(const std::string &path);

} // namespace ringside::snapshot
