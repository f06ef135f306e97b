#include "snapshot/snapshot_file.h"

#include "snapshot/byte_io.h"
#include "snapshot/crc32.h"
#include "util/hex.h"

#include <cstring>
#include <fstream>
#include <iterator>
#include <set>

namespace ringside::snapshot {
namespace {

std::string quoted(const std::string &tag) { return "'" + tag + "'"; }

bool printableTag(std::span<const uint8_t> t) {
  for (uint8_t c : t)
    if (c < 0x20 || c > 0x7E)
      return false;
  return true;
}

} // namespace

const Section *SnapshotFile::find(const std::string &tag) const {
  for (const auto &s : sections)
    if (s.tag == tag)
      return &s;
  return nullptr;
}

const Section &SnapshotFile::require(const std::string &tag, const std::string &source) const {
  if (const auto *s = find(tag))
    return *s;
  throw SnapshotError(source + ": required section " + quoted(tag) + " is missing");
}

std::vector<uint8_t> encode(SnapshotFile &file) {
  ByteWriter w;
  w.raw(std::span(reinterpret_cast<const uint8_t *>(kMagic), 8));
  w.u32(file.version);
  w.u32(static_cast<uint32_t>(file.sections.size()));
  w.u32(crc32(w.bytes()));
  for (auto &s : file.sections) {
    if (s.tag.size() != 4)
      throw SnapshotError("internal: section tag '" + s.tag + "' is not 4 characters");
    s.crc = crc32(s.payload);
    w.raw(std::span(reinterpret_cast<const uint8_t *>(s.tag.data()), 4));
    w.u32(s.flags);
    w.u64(s.payload.size());
    w.u32(s.crc);
    s.fileOffset = w.bytes().size();
    w.raw(s.payload);
  }
  return w.take();
}

SnapshotFile decode(std::span<const uint8_t> bytes, const std::string &source) {
  ByteReader header(bytes, source + " header");
  auto magic = header.raw(8, "the magic");
  if (std::memcmp(magic.data(), kMagic, 8) != 0)
    throw SnapshotError(source + " at file offset 0x0: not a Ringside snapshot (the magic is not "
                                 "\"RINGSNAP\")");
  SnapshotFile file;
  file.version = header.u32();
  uint32_t count = header.u32();
  uint32_t stored = header.u32();
  uint32_t computed = crc32(bytes.subspan(0, 16));
  if (stored != computed)
    throw SnapshotError(source + " header at file offset 0x10: checksum mismatch (stored " +
                        hex(stored) + ", computed " + hex(computed) + ")");
  if (file.version != kFormatVersion)
    throw SnapshotError(source + " header at file offset 0x8: format version " +
                        std::to_string(file.version) + " is not supported (this build reads " +
                        std::to_string(kFormatVersion) + ")");
  if (count > kMaxSections)
    throw SnapshotError(source + " header at file offset 0xc: " + std::to_string(count) +
                        " sections is more than the limit of " + std::to_string(kMaxSections));
  uint64_t pos = kHeaderBytes;
  std::set<std::string> seen;
  for (uint32_t i = 0; i < count; ++i) {
    std::string where = source + " section #" + std::to_string(i);
    ByteReader r(bytes.subspan(pos), where + " header", pos);
    auto tagBytes = r.raw(4, "the section tag");
    if (!printableTag(tagBytes))
      r.fail("the section tag is not 4 printable characters");
    Section s;
    s.tag.assign(tagBytes.begin(), tagBytes.end());
    where = source + " section " + quoted(s.tag);
    ByteReader h(bytes.subspan(pos), where + " header", pos);
    h.raw(4, "the section tag");
    s.flags = h.u32();
    uint64_t length = h.u64();
    s.crc = h.u32();
    uint64_t start = pos + kSectionHeaderBytes;
    if (length > bytes.size() - start)
      throw SnapshotError(where + " at file offset " + hex(start) + ": truncated: the payload is " +
                          std::to_string(length) + " bytes, the file has " +
                          std::to_string(bytes.size() - start) + " left");
    if (s.flags != 0)
      throw SnapshotError(where + " at file offset " + hex(pos + 4) + ": unknown flags " +
                          hex(s.flags));
    if (!seen.insert(s.tag).second)
      throw SnapshotError(where + " at file offset " + hex(pos) + ": the section appears twice");
    auto payload = bytes.subspan(start, length);
    uint32_t got = crc32(payload);
    if (got != s.crc)
      throw SnapshotError(where + " at file offset " + hex(start) + ": checksum mismatch (stored " +
                          hex(s.crc) + ", computed " + hex(got) + ")");
    s.payload.assign(payload.begin(), payload.end());
    s.fileOffset = start;
    file.sections.push_back(std::move(s));
    pos = start + length;
  }
  if (pos != bytes.size())
    throw SnapshotError(source + " at file offset " + hex(pos) + ": " +
                        std::to_string(bytes.size() - pos) +
                        " bytes after the last section (a damaged section count?)");
  return file;
}

void writeFile(const std::string &path, SnapshotFile &file) {
  auto bytes = encode(file);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out)
    throw InputError(path + ": cannot open for writing");
  out.write(reinterpret_cast<const char *>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out)
    throw InputError(path + ": write failed");
}

SnapshotFile readFile(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError(path + ": cannot open snapshot");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
  return decode(bytes, path);
}

} // namespace ringside::snapshot
