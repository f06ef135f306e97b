// The paravirtual interface on its own: page stubs, and each hypercall against a fake VMM.
#include "vmm/hypercalls.h"
#include "vmm/technique.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

namespace ringside {
namespace {

struct FakeHost : HypercallHost {
  std::vector<uint8_t> memory = std::vector<uint8_t>(0x10000, 0);
  std::map<uint64_t, uint64_t> physical;
  std::string text;
  int flushes = 0;
  std::optional<int64_t> exited;
  bool readLinear(uint64_t gva, void *dst, size_t n) override {
    if (gva + n > memory.size())
      return false;
    std::memcpy(dst, memory.data() + gva, n);
    return true;
  }
  bool writePhysical(uint64_t gpa, const void *src, size_t n) override {
    if (gpa >= 0x100000 || n != 8)
      return false;
    std::memcpy(&physical[gpa], src, 8);
    return true;
  }
  void console(std::string_view t) override { text += t; }
  void flushTlb() override { ++flushes; }
  void exit(int64_t code) override { exited = code; }
  void request(size_t i, uint64_t ptr, uint64_t val) {
    MmuUpdateRequest r{ptr, val};
    std::memcpy(memory.data() + 0x1000 + i * sizeof r, &r, sizeof r);
  }
};

TEST(Hypercalls, PageStubsLoadTheNumberAndUseTheGate) {
  auto vmcall = hypercallPage(HypercallGate::Vmcall);
  ASSERT_EQ(vmcall.size(), 4096u);
  const uint8_t *stub1 = vmcall.data() + 32;
  EXPECT_EQ(std::vector<uint8_t>(stub1, stub1 + 9),
            (std::vector<uint8_t>{0xB8, 1, 0, 0, 0, 0x0F, 0x01, 0xC1, 0xC3}));
  auto port = hypercallPage(HypercallGate::PortDoorbell);
  const uint8_t *stub3 = port.data() + 3 * 32;
  EXPECT_EQ(std::vector<uint8_t>(stub3, stub3 + 8),
            (std::vector<uint8_t>{0xB8, 3, 0, 0, 0, 0xE7, kHypercallDoorbellPort, 0xC3}));
  EXPECT_EQ(vmcall[31], 0xCC); // padding traps
}

TEST(Hypercalls, ConsoleWriteCopiesAndBoundsTheLength) {
  FakeHost h;
  std::memcpy(h.memory.data() + 0x200, "hi!", 3);
  EXPECT_EQ(runHypercall(0, {0x200, 3, 0, 0}, h), 3u);
  EXPECT_EQ(h.text, "hi!");
  EXPECT_EQ(runHypercall(0, {0x200, 1u << 20, 0, 0}, h), static_cast<uint64_t>(-22));
  EXPECT_EQ(runHypercall(0, {0xFFFF0, 64, 0, 0}, h), static_cast<uint64_t>(-14));
}

TEST(Hypercalls, MmuUpdateIsOneFlushForABatchAndStopsAtABadRequest) {
  FakeHost h;
  for (size_t i = 0; i < 8; ++i)
    h.request(i, 0x5000 + 8 * i, 0x100003 + 0x1000 * i);
  EXPECT_EQ(runHypercall(1, {0x1000, 8, 0, 0}, h), 8u);
  EXPECT_EQ(h.flushes, 1);
  EXPECT_EQ(h.physical.at(0x5038), 0x107003u);
  h.request(2, 0x5004, 0); // misaligned: the batch stops there
  EXPECT_EQ(runHypercall(1, {0x1000, 8, 0, 0}, h), 2u);
  EXPECT_EQ(runHypercall(1, {0x1000, 100000, 0, 0}, h), static_cast<uint64_t>(-22));
}

TEST(Hypercalls, UnknownNumbersAreEnosysAndExitStops) {
  FakeHost h;
  EXPECT_EQ(runHypercall(99, {}, h), kHypercallEnosys);
  runHypercall(3, {7, 0, 0, 0}, h);
  EXPECT_EQ(h.exited, 7);
}

TEST(Techniques, TableNamesAndBuiltFlags) {
  EXPECT_EQ(findTechnique("pv"), Technique::Pv);
  EXPECT_FALSE(findTechnique("hvm"));
  EXPECT_TRUE(techniqueInfo(Technique::Native).built);
  EXPECT_TRUE(techniqueInfo(Technique::Trap).built);
  EXPECT_TRUE(techniqueInfo(Technique::Bt).built);
  EXPECT_EQ(findTechnique("bt"), Technique::Bt);
  for (const auto &t : techniques())
    EXPECT_EQ(&techniqueInfo(t.technique), &t);
}

} // namespace
} // namespace ringside
