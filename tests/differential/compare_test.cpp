// Unit tests for the differential comparison: fake records, string-I/O expansion, A/D
// masking, skip marks, and a backend that cannot read its RAM.
#include "backend/backend.h"
#include "diff/compare.h"
#include "diff/diff_masks.h"
#include "diff/differential.h"
#include "diff/skip_marks.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <cstring>

namespace ringside::diff {
namespace {

RunRecord fakeRecord(const std::string &backend) {
  RunRecord r;
  r.backend = backend;
  r.stop = StopEvent{StopKind::Hlt, 0, "hlt"};
  r.console = "hello\n";
  r.regs.gpr = {1, 2, 3, 4, 0x7000, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
  r.regs.rip = 0x7C10;
  r.regs.cr0 = 0x11;
  r.io = {{0xE9, true, 1, 'h'}};
  return r;
}

TEST(DiffCompare, IdenticalRecordsHaveNoDifference) {
  EXPECT_TRUE(compareRecords(fakeRecord("emu"), fakeRecord("kvm")).empty());
}

TEST(DiffCompare, OneRegisterDifferentGivesExactlyThatDifference) {
  auto a = fakeRecord("emu"), b = fakeRecord("kvm");
  b.regs.gpr[3] = 0x44; // rbx
  auto diffs = compareRecords(a, b);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].field, "rbx");
  EXPECT_EQ(diffs[0].a, "0x4");
  EXPECT_EQ(diffs[0].b, "0x44");
  EXPECT_FALSE(diffs[0].explanation.empty());
}

TEST(DiffCompare, MaskedCr0BitsAreIgnoredButOthersAreNot) {
  auto a = fakeRecord("emu"), b = fakeRecord("kvm");
  b.regs.cr0 = a.regs.cr0 | ignoredBits("cr0");
  EXPECT_TRUE(compareRecords(a, b).empty());
  b.regs.cr0 |= 1u << 16; // WP is compared
  auto diffs = compareRecords(a, b);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].field, "cr0");
  EXPECT_NE(diffs[0].explanation.find("masked"), std::string::npos);
}

TEST(DiffCompare, EveryMaskHasAReason) {
  for (const auto &m : registerMasks()) {
    EXPECT_NE(m.ignoredBits, 0u) << m.field;
    EXPECT_FALSE(m.reason.empty()) << m.field;
  }
  for (const auto &r : excludedRamRanges()) {
    EXPECT_LT(r.begin, r.end);
    EXPECT_FALSE(r.reason.empty());
  }
}

TEST(DiffCompare, StopAndConsoleDifferencesAreReported) {
  auto a = fakeRecord("emu"), b = fakeRecord("kvm");
  b.stop = StopEvent{StopKind::Shutdown, 0, "triple fault"};
  b.console = "help\n";
  auto diffs = compareRecords(a, b);
  ASSERT_EQ(diffs.size(), 2u);
  EXPECT_EQ(diffs[0].field, "stop.kind");
  EXPECT_EQ(diffs[0].b, "shutdown");
  EXPECT_EQ(diffs[1].field, "console");
  EXPECT_NE(diffs[1].explanation.find("byte 3"), std::string::npos);
}

TEST(DiffStringIo, OneCountedExitEqualsPerIterationEvents) {
  RunRecord kvm = fakeRecord("kvm"), emu = fakeRecord("emu");
  kvm.io.clear();
  emu.io.clear();
  appendIo(kvm.io, IoEvent{0xE9, 1, true, 'a', 3});
  for (char c : std::string("abc"))
    appendIo(emu.io, IoEvent{0xE9, 1, true, static_cast<uint32_t>(c), 1});
  ASSERT_EQ(kvm.io.size(), 3u);
  EXPECT_FALSE(kvm.io[1].value.has_value());
  EXPECT_TRUE(compareRecords(emu, kvm).empty());

  emu.io.pop_back(); // one iteration missing
  auto diffs = compareRecords(emu, kvm);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].field, "io.length");

  appendIo(emu.io, IoEvent{0x3F8, 1, true, 'c', 1}); // right count, wrong port
  diffs = compareRecords(emu, kvm);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].field, "io[2]");
}

TEST(DiffStringIo, CountZeroIsNoAccess) {
  std::vector<IoAccess> io;
  appendIo(io, IoEvent{0xE9, 1, true, 0, 0});
  EXPECT_TRUE(io.empty());
}

TEST(DiffRam, AccessedDirtyMaskedOnlyInTablePages) {
  const uint64_t ram = 64 * 1024, table = 0x8000, data = 0x9000;
  std::vector<uint8_t> a(ram, 0), b(ram, 0);
  uint64_t pte = 0x200003, pteAd = pte | (1u << 5) | (1u << 6);
  std::memcpy(&a[table + 16], &pte, 8);
  std::memcpy(&b[table + 16], &pteAd, 8);
  std::memcpy(&a[data], &pte, 8);
  std::memcpy(&b[data], &pteAd, 8);
  auto reader = [](std::vector<uint8_t> &m) {
    return [&m](uint64_t gpa, void *dst, size_t n) {
      std::memcpy(dst, m.data() + gpa, n);
      return true;
    };
  };
  std::string why;
  TablePages tables{{table, 8}};
  auto ha = hashRam(reader(a), ram, tables, why), hb = hashRam(reader(b), ram, tables, why);
  ASSERT_TRUE(ha && hb);
  EXPECT_EQ(ha->pageHashes[table / 4096], hb->pageHashes[table / 4096]);
  EXPECT_NE(ha->pageHashes[data / 4096], hb->pageHashes[data / 4096]);

  RunRecord ra = fakeRecord("emu"), rb = fakeRecord("kvm");
  ra.ram = ha;
  rb.ram = hb;
  auto diffs = compareRecords(ra, rb);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].field, "ram");
  EXPECT_NE(diffs[0].explanation.find("0x9000"), std::string::npos);
  EXPECT_EQ(diffs[0].explanation.find("0x8000"), std::string::npos);
}

TEST(DiffRam, MaskKeepsOtherBitsAndHonoursEntryWidth) {
  std::array<uint8_t, 4096> page{};
  uint32_t e32[2] = {0xFFFFFFFF, 0xFFFFFFFF};
  std::memcpy(page.data(), e32, 8);
  maskAccessedDirty(page.data(), 4);
  std::memcpy(e32, page.data(), 8);
  EXPECT_EQ(e32[0], 0xFFFFFF9Fu);
  EXPECT_EQ(e32[1], 0xFFFFFF9Fu); // the second 32-bit entry is masked too
}

TEST(DiffRam, ReservedRangeIsExcludedAndUnreadableRamIsReported) {
  const uint64_t ram = 64 * 1024;
  std::vector<uint8_t> a(ram, 0), b(ram, 0);
  b[0x5000] = 0x90; // the emu backend's boot stub lives here
  auto read = [](std::vector<uint8_t> &m) {
    return [&m](uint64_t gpa, void *dst, size_t n) {
      std::memcpy(dst, m.data() + gpa, n);
      return true;
    };
  };
  std::string why;
  EXPECT_EQ(hashRam(read(a), ram, {}, why)->total, hashRam(read(b), ram, {}, why)->total);
  auto none = hashRam([](uint64_t, void *, size_t) { return false; }, ram, {}, why);
  EXPECT_FALSE(none);
  EXPECT_NE(why.find("0x0"), std::string::npos);
}

TEST(DiffCollector, WalkEventsNameGuestTablePages) {
  RunRecord r;
  RecordCollector collect(r);
  WalkEvent walk;
  walk.mode = WalkMode::Long4;
  walk.stepCount = 2;
  walk.steps[0].tableAddr = 0x100000;
  walk.steps[1].tableAddr = 0x101000;
  collect(Event{0, 0, walk});
  WalkEvent shadow = walk;
  shadow.purpose = WalkPurpose::Shadow;
  shadow.steps[0].tableAddr = 0x900000;
  collect(Event{1, 0, shadow});
  collect(Event{2, 0, MmioEvent{0xB8000, 2, true, 0x1E41, 1}});
  EXPECT_EQ(r.tablePages, (TablePages{{0x100000, 8}, {0x101000, 8}}));
  ASSERT_EQ(r.mmio.size(), 2u) << "one access per byte";
  EXPECT_EQ(r.mmio[0].value, 0x41u);
  EXPECT_EQ(r.mmio[1].gpa, 0xB8001u);
  EXPECT_EQ(r.mmio[1].value, 0x1Eu);
}

TEST(DiffSkipMarks, ParsesFlavoursAndReason) {
  auto marks = parseSkipMarks("; first\n; diff: skip-on=pvm,svm reason=\"no 32-bit paging\"\n"
                              "bits 16\n",
                              "g.asm");
  ASSERT_EQ(marks.size(), 1u);
  EXPECT_EQ(marks[0].line, 2);
  EXPECT_EQ(marks[0].reason, "no 32-bit paging");
  EXPECT_TRUE(skipFor(marks, "pvm"));
  EXPECT_TRUE(skipFor(marks, "svm"));
  EXPECT_FALSE(skipFor(marks, "vmx"));
}

TEST(DiffSkipMarks, RejectsUnknownKeysFlavoursAndMissingReasons) {
  EXPECT_THROW(parseSkipMarks("; diff: skip-on=pvm because=\"x\"\n", "g.asm"), InputError);
  EXPECT_THROW(parseSkipMarks("; diff: skip-on=arm reason=\"x\"\n", "g.asm"), InputError);
  EXPECT_THROW(parseSkipMarks("; diff: skip-on=pvm\n", "g.asm"), InputError);
  try {
    parseSkipMarks("\n; diff: skip-on=pvm reason=\"x\" junk\n", "g.asm");
    FAIL() << "junk accepted";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("g.asm:2"), std::string::npos);
  }
}

// An emu backend that, like a backend without readGuestPhysical, cannot read its RAM.
class NoRamBackend : public Backend {
public:
  NoRamBackend() : inner_(createBackend("emu")) {}
  std::string name() const override { return "noram"; }
  Capabilities capabilities() const override { return inner_->capabilities(); }
  void load(const GuestImage &image, const RunConfig &config) override {
    inner_->load(image, config);
  }
  RunResult run() override { return inner_->run(); }
  void requestStop() override { inner_->requestStop(); }
  const Platform &platform() const override { return inner_->platform(); }
  Trace &trace() override { return inner_->trace(); }

private:
  std::unique_ptr<Backend> inner_;
};

std::unique_ptr<Backend> testFactory(const std::string &name) {
  if (name == "noram")
    return std::make_unique<NoRamBackend>();
  if (name == "broken")
    throw InputError("backend 'broken' cannot run here: for the test");
  return createBackend(name);
}

TEST(DiffRunner, BackendWithoutRamAccessIsNotedNotCompared) {
  auto image =
      loadGuestImage((test::sourceDir() / "tests/differential/corpus/real_alu.asm").string());
  auto report = runDifferential(image, RunConfig{}, "emu", "noram", testFactory);
  EXPECT_TRUE(report.same());
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("RAM not compared: noram"), std::string::npos);
  EXPECT_TRUE(report.runs[0].ram.has_value());
  EXPECT_FALSE(report.runs[1].ram.has_value());
}

TEST(DiffRunner, UnavailableBackendFailsBeforeAnyRun) {
  auto image =
      loadGuestImage((test::sourceDir() / "tests/differential/corpus/real_alu.asm").string());
  EXPECT_THROW(runDifferential(image, RunConfig{}, "emu", "broken", testFactory), InputError);
}

TEST(DiffMmio, OneWideAccessEqualsTheSameBytesSplit) {
  RunRecord kvm = fakeRecord("kvm"), emu = fakeRecord("emu");
  kvm.mmio.clear();
  emu.mmio.clear();
  appendMmio(kvm.mmio, MmioEvent{0xB8008, 8, true, 0x0c340c360c200c20ull, 1});
  appendMmio(emu.mmio, MmioEvent{0xB8008, 4, true, 0x0c200c20u, 1});
  appendMmio(emu.mmio, MmioEvent{0xB800C, 4, true, 0x0c340c36u, 1});
  ASSERT_EQ(kvm.mmio.size(), 8u);
  EXPECT_TRUE(compareRecords(emu, kvm).empty());

  emu.mmio.back().value ^= 1; // one byte different
  auto diffs = compareRecords(emu, kvm);
  ASSERT_EQ(diffs.size(), 1u);
  EXPECT_EQ(diffs[0].field, "mmio[7]");
}

} // namespace
} // namespace ringside::diff
