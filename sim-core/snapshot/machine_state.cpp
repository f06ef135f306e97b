#include "snapshot/machine_state.h"

#include "snapshot/byte_io.h"
#include "snapshot/crc32.h"
#include "util/hex.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

namespace ringside::snapshot {
namespace {

enum RamKind : uint8_t { kBase = 0, kDelta = 1 };

std::vector<uint8_t> encodeMeta(const MachineState &s) {
  ByteWriter w;
  w.str(s.backend);
  w.str(s.imagePath);
  w.u64(s.entry);
  w.u8(s.entryMode);
  w.u64(s.ramMiB);
  w.str(s.virt);
  w.u64(s.instructions);
  w.u64(s.nextSeq);
  return w.take();
}

void decodeMeta(const Section &sec, const std::string &where, MachineState &s) {
  ByteReader r(sec.payload, where, sec.fileOffset);
  s.backend = r.str("backend name", 16);
  s.imagePath = r.str("image path");
  s.entry = r.u64();
  s.entryMode = r.u8();
  s.ramMiB = r.u64();
  if (s.ramMiB < 1 || s.ramMiB > 4096)
    r.fail("RAM size " + std::to_string(s.ramMiB) + " MiB is outside 1..4096");
  s.virt = r.str("technique", 16);
  s.instructions = r.u64();
  s.nextSeq = r.u64();
  r.expectEnd();
}

bool zeroPage(const uint8_t *p) {
  return std::all_of(p, p + kPageBytes, [](uint8_t b) { return b == 0; });
}

// RAM: u64 ram bytes, u32 page size, u8 kind, u64 page count, then (u64 page number, page).
std::vector<uint8_t> encodeRam(const std::vector<uint8_t> &ram, const std::vector<uint8_t> *parent,
                               uint64_t &stored) {
  ByteWriter w;
  uint64_t pages = ram.size() / kPageBytes;
  std::vector<uint64_t> list;
  for (uint64_t p = 0; p < pages; ++p) {
    const uint8_t *page = ram.data() + p * kPageBytes;
    bool keep = parent ? std::memcmp(page, parent->data() + p * kPageBytes, kPageBytes) != 0
                       : !zeroPage(page);
    if (keep)
      list.push_back(p);
  }
  w.u64(ram.size());
  w.u32(kPageBytes);
  w.u8(parent ? kDelta : kBase);
  w.u64(list.size());
  for (uint64_t p : list) {
    w.u64(p);
    w.raw(std::span(ram.data() + p * kPageBytes, kPageBytes));
  }
  stored = list.size();
  return w.take();
}

struct RamHeader {
  uint64_t bytes = 0;
  uint8_t kind = 0;
  uint64_t count = 0;
};

RamHeader ramHeader(ByteReader &r, uint64_t expectBytes) {
  RamHeader h;
  h.bytes = r.u64();
  if (h.bytes != expectBytes)
    r.fail("RAM is " + std::to_string(h.bytes) + " bytes, META says " +
           std::to_string(expectBytes));
  uint32_t page = r.u32();
  if (page != kPageBytes)
    r.fail("page size " + std::to_string(page) + " is not 4096");
  h.kind = r.u8();
  if (h.kind > kDelta)
    r.fail("RAM kind " + std::to_string(h.kind) + " is neither base (0) nor delta (1)");
  h.count = r.u64();
  if (h.count > h.bytes / kPageBytes)
    r.fail("page count " + std::to_string(h.count) + " exceeds the " +
           std::to_string(h.bytes / kPageBytes) + " pages of RAM");
  return h;
}

void applyRam(ByteReader &r, const RamHeader &h, std::vector<uint8_t> &ram) {
  uint64_t pages = h.bytes / kPageBytes;
  for (uint64_t i = 0; i < h.count; ++i) {
    uint64_t p = r.u64();
    if (p >= pages)
      r.fail("page number " + std::to_string(p) + " is outside RAM (" + std::to_string(pages) +
             " pages)");
    auto bytes = r.raw(kPageBytes, "a page");
    std::memcpy(ram.data() + p * kPageBytes, bytes.data(), kPageBytes);
  }
  r.expectEnd();
}

std::string parentPathOf(const std::string &child, const std::string &name) {
  std::filesystem::path p(name);
  if (p.is_absolute())
    return name;
  return (std::filesystem::path(child).parent_path() / p).string();
}

MachineState loadChain(const std::string &path, int depth) {
  if (depth > kMaxChainDepth)
    throw SnapshotError(path + ": snapshot chain deeper than " + std::to_string(kMaxChainDepth) +
                        " (a loop of parents?)");
  SnapshotFile file = readFile(path);
  MachineState s;
  decodeMeta(file.require("META", path), path + " section 'META'", s);
  const Section &ramSec = file.require("RAM ", path);
  ByteReader r(ramSec.payload, path + " section 'RAM '", ramSec.fileOffset);
  RamHeader h = ramHeader(r, s.ramMiB << 20);
  if (h.kind == kDelta) {
    const Section &prnt = file.require("PRNT", path);
    ByteReader pr(prnt.payload, path + " section 'PRNT'", prnt.fileOffset);
    std::string name = pr.str("parent name");
    uint32_t parentRamCrc = pr.u32();
    pr.expectEnd();
    std::string parentPath = parentPathOf(path, name);
    MachineState parent = loadChain(parentPath, depth + 1);
    SnapshotFile pf = readFile(parentPath);
    if (pf.require("RAM ", parentPath).crc != parentRamCrc)
      throw SnapshotError(path + " section 'PRNT' at file offset " + hex(prnt.fileOffset) +
                          ": parent " + parentPath +
                          " is not the snapshot this delta was taken against (its RAM checksum "
                          "differs)");
    if (parent.ram.size() != h.bytes)
      throw SnapshotError(path + ": parent " + parentPath + " has a different RAM size");
    s.ram = std::move(parent.ram);
  } else {
    s.ram.assign(h.bytes, 0);
  }
  applyRam(r, h, s.ram);
  for (const auto &sec : file.sections)
    if (sec.tag != "META" && sec.tag != "RAM " && sec.tag != "PRNT")
      s.sections[sec.tag] = sec.payload;
  return s;
}

} // namespace

SaveStats saveState(const MachineState &state, const std::string &path,
                    const std::string &parentPath) {
  SnapshotFile file;
  file.sections.push_back({"META", 0, encodeMeta(state)});
  SaveStats stats;
  stats.pagesTotal = state.ram.size() / kPageBytes;
  std::vector<uint8_t> ramPayload;
  if (!parentPath.empty()) {
    MachineState parent = loadChain(parentPath, 1);
    if (parent.ram.size() != state.ram.size())
      throw InputError(parentPath + ": the parent snapshot's RAM size differs from this machine's");
    ramPayload = encodeRam(state.ram, &parent.ram, stats.pagesStored);
    SnapshotFile pf = readFile(parentPath);
    ByteWriter w;
    // Stored relative to the delta's directory when they share one, so the pair can move.
    std::filesystem::path pp(parentPath), dp(path);
    std::string name =
        std::filesystem::absolute(pp).parent_path() == std::filesystem::absolute(dp).parent_path()
            ? pp.filename().string()
            : std::filesystem::absolute(pp).string();
    w.str(name);
    w.u32(pf.require("RAM ", parentPath).crc);
    file.sections.push_back({"PRNT", 0, w.take()});
    stats.delta = true;
  } else {
    ramPayload = encodeRam(state.ram, nullptr, stats.pagesStored);
  }
  file.sections.push_back({"RAM ", 0, std::move(ramPayload)});
  for (const auto &[tag, payload] : state.sections)
    file.sections.push_back({tag, 0, payload});
  writeFile(path, file);
  stats.bytes = std::filesystem::file_size(path);
  return stats;
}

MachineState loadState(const std::string &path) { return loadChain(path, 0); }

FileInfo inspect(const std::string &path) {
  SnapshotFile file = readFile(path);
  FileInfo info;
  info.version = file.version;
  for (const auto &s : file.sections)
    info.sections.push_back({s.tag, s.fileOffset - kSectionHeaderBytes, s.payload.size(), s.crc});
  MachineState meta;
  decodeMeta(file.require("META", path), path + " section 'META'", meta);
  info.backend = meta.backend;
  info.imagePath = meta.imagePath;
  info.virt = meta.virt;
  info.ramMiB = meta.ramMiB;
  info.instructions = meta.instructions;
  info.nextSeq = meta.nextSeq;
  const Section &ramSec = file.require("RAM ", path);
  ByteReader r(ramSec.payload, path + " section 'RAM '", ramSec.fileOffset);
  RamHeader h = ramHeader(r, meta.ramMiB << 20);
  info.delta = h.kind == kDelta;
  info.pagesStored = h.count;
  if (const auto *p = file.find("PRNT")) {
    ByteReader pr(p->payload, path + " section 'PRNT'", p->fileOffset);
    info.parent = pr.str("parent name");
  }
  return info;
}

const std::vector<uint8_t> &MachineState::section(const char *tag, const char *who) const {
  auto it = sections.find(tag);
  if (it == sections.end())
    throw SnapshotError(std::string(who) + ": required section '" + tag + "' is missing");
  return it->second;
}

} // namespace ringside::snapshot
