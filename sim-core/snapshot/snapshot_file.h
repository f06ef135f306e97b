#pragma once
// The snapshot container (docs/snapshots.md): a 20-byte header (magic "RINGSNAP", format
// version, section count, header CRC) and then sections, each a 4-character tag, flags, a
// payload length and the payload's CRC-32. Reading checks every length and checksum before
// anything uses a payload, and names the section and file offset of what is wrong.
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ringside::snapshot {

inline constexpr char kMagic[8] = {'R', 'I', 'N', 'G', 'S', 'N', 'A', 'P'};
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint64_t kHeaderBytes = 20, kSectionHeaderBytes = 20;
inline constexpr uint32_t kMaxSections = 64;

struct Section {
  std::string tag; ///< exactly 4 characters, e.g. "META", "RAM "
  uint32_t flags = 0;
  std::vector<uint8_t> payload;
  uint64_t fileOffset = 0; ///< where the payload starts (set when read)
  uint32_t crc = 0;        ///< the payload's CRC-32 (set when read or encoded)
};

struct SnapshotFile {
  uint32_t version = kFormatVersion;
  std::vector<Section> sections;

  const Section *find(const std::string &tag) const;
  /// The section or a SnapshotError naming `source` and the missing tag.
  const Section &require(const std::string &tag, const std::string &source) const;
};

std::vector<uint8_t> encode(SnapshotFile &file);
/// `source` names the data in errors (usually the path). Throws SnapshotError.
SnapshotFile decode(std::span<const uint8_t> bytes, const std::string &source);

void writeFile(const std::string &path, SnapshotFile &file);
SnapshotFile readFile(const std::string &path);

} // namespace ringside::snapshot
