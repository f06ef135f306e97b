// The snapshot container and machine-state encoding: a round trip, and one test per kind of
// damage, each checking that the error names the section and the file offset.
#include "snapshot/byte_io.h"
#include "snapshot/crc32.h"
#include "snapshot/machine_state.h"
#include "snapshot/snapshot_file.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>

namespace ringside::snapshot {
namespace {

std::vector<uint8_t> sample() {
  SnapshotFile f;
  f.sections.push_back({"META", 0, {1, 2, 3, 4}});
  f.sections.push_back({"RAM ", 0, std::vector<uint8_t>(100, 0xAB)});
  return encode(f);
}

std::string errorOf(const std::vector<uint8_t> &bytes) {
  try {
    decode(bytes, "t.rss");
  } catch (const SnapshotError &e) {
    return e.what();
  }
  return "";
}

TEST(SnapshotCrc, MatchesTheStandardCheckValue) {
  const char *s = "123456789";
  EXPECT_EQ(crc32(std::span(reinterpret_cast<const uint8_t *>(s), 9)), 0xCBF43926u);
}

TEST(SnapshotFile, RoundTripsSections) {
  auto f = decode(sample(), "t.rss");
  ASSERT_EQ(f.sections.size(), 2u);
  EXPECT_EQ(f.sections[1].tag, "RAM ");
  EXPECT_EQ(f.sections[1].payload, std::vector<uint8_t>(100, 0xAB));
  EXPECT_EQ(f.sections[0].fileOffset, kHeaderBytes + kSectionHeaderBytes);
}

TEST(SnapshotFile, RejectsBadMagic) {
  auto b = sample();
  b[0] = 'X';
  EXPECT_NE(errorOf(b).find("not a Ringside snapshot"), std::string::npos);
}

TEST(SnapshotFile, RejectsDamagedHeader) {
  auto b = sample();
  b[12] ^= 1; // section count
  EXPECT_NE(errorOf(b).find("header at file offset 0x10: checksum mismatch"), std::string::npos);
}

TEST(SnapshotFile, RejectsAnotherVersion) {
  auto b = sample();
  b[8] = 9;
  uint32_t crc = crc32(std::span(b.data(), 16));
  std::memcpy(b.data() + 16, &crc, 4);
  EXPECT_NE(errorOf(b).find("format version 9 is not supported"), std::string::npos);
}

TEST(SnapshotFile, RejectsTruncationNamingTheSection) {
  auto b = sample();
  b.resize(b.size() - 10);
  auto e = errorOf(b);
  EXPECT_NE(e.find("section 'RAM '"), std::string::npos) << e;
  EXPECT_NE(e.find("truncated"), std::string::npos) << e;
  EXPECT_NE(e.find("at file offset 0x"), std::string::npos) << e;
}

TEST(SnapshotFile, RejectsTruncatedSectionHeader) {
  auto b = sample();
  b.resize(kHeaderBytes + 6);
  auto e = errorOf(b);
  EXPECT_NE(e.find("section 'META' header at file offset 0x18: truncated"), std::string::npos) << e;
}

TEST(SnapshotFile, RejectsAFlippedPayloadByte) {
  auto b = sample();
  b[b.size() - 1] ^= 0x40;
  auto e = errorOf(b);
  EXPECT_NE(e.find("section 'RAM ' at file offset 0x40: checksum mismatch"), std::string::npos)
      << e;
}

TEST(SnapshotFile, RejectsTrailingBytes) {
  auto b = sample();
  b.push_back(0);
  EXPECT_NE(errorOf(b).find("bytes after the last section"), std::string::npos);
}

TEST(SnapshotFile, RejectsDuplicateAndUnprintableTags) {
  SnapshotFile f;
  f.sections.push_back({"META", 0, {}});
  f.sections.push_back({"META", 0, {}});
  EXPECT_NE(errorOf(encode(f)).find("appears twice"), std::string::npos);
  auto b = sample();
  b[kHeaderBytes] = 0x01;
  EXPECT_NE(errorOf(b).find("not 4 printable"), std::string::npos);
}

TEST(SnapshotFile, RejectsAMalformedPayloadNamingTheSection) {
  ByteWriter w;
  w.u32(3);
  auto bytes = w.take();
  ByteReader r(bytes, "x.rss section 'CPU '", 0x40);
  r.u16();
  try {
    r.u32();
    FAIL();
  } catch (const SnapshotError &e) {
    EXPECT_STREQ(e.what(), "x.rss section 'CPU ' at file offset 0x42: truncated: a u32 needs 4 "
                           "bytes, 2 left");
  }
}

MachineState machine(uint8_t fill) {
  MachineState s;
  s.backend = "emu";
  s.ramMiB = 1;
  s.virt = "vtx";
  s.ram.assign(1u << 20, 0);
  s.ram[0x5000] = fill;
  s.sections["CPU "] = {9, 9};
  return s;
}

TEST(SnapshotChain, DeltaStoresOnlyChangedPagesAndRestoresTheWhole) {
  auto dir = test::scratchDir("snapshot_chain");
  auto base = machine(1);
  base.ram[0x9000] = 7;
  auto stats = saveState(base, (dir / "base.rss").string());
  EXPECT_EQ(stats.pagesStored, 2u); // the two non-zero pages
  auto next = base;
  next.ram[0x5000] = 2;
  next.ram[0x7001] = 3;
  auto delta = saveState(next, (dir / "delta.rss").string(), (dir / "base.rss").string());
  EXPECT_TRUE(delta.delta);
  EXPECT_EQ(delta.pagesStored, 2u); // pages 5 and 7 changed; page 9 comes from the base
  auto back = loadState((dir / "delta.rss").string());
  EXPECT_EQ(back.ram, next.ram);
  EXPECT_EQ(back.sections.at("CPU "), (std::vector<uint8_t>{9, 9}));
  auto info = inspect((dir / "delta.rss").string());
  EXPECT_EQ(info.parent, "base.rss");
  EXPECT_EQ(info.pagesStored, 2u);
  // A replaced parent is detected.
  auto other = machine(5);
  saveState(other, (dir / "base.rss").string());
  try {
    loadState((dir / "delta.rss").string());
    FAIL();
  } catch (const SnapshotError &e) {
    EXPECT_NE(std::string(e.what()).find("section 'PRNT'"), std::string::npos) << e.what();
  }
}

TEST(SnapshotChain, RejectsAPageOutsideRam) {
  auto dir = test::scratchDir("snapshot_badpage");
  auto path = (dir / "s.rss").string();
  saveState(machine(1), path);
  auto file = readFile(path);
  for (auto &s : file.sections)
    if (s.tag == "RAM ") {
      uint64_t huge = 1u << 30;
      std::memcpy(s.payload.data() + 21, &huge, 8); // the first page number
    }
  writeFile(path, file);
  try {
    loadState(path);
    FAIL();
  } catch (const SnapshotError &e) {
    EXPECT_NE(std::string(e.what()).find("section 'RAM ' at file offset"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("outside RAM"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace ringside::snapshot
