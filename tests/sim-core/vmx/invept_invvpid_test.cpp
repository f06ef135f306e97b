// INVEPT and INVVPID: supported types, descriptor checks (error 28) and the flush notice.
#include "vmx_fake_cpu.h"

namespace ringside {
namespace {

using namespace testing;

struct VmxInvalidate : ::testing::Test {
  FakeVmxCpu cpu;
  VmxMachine m{cpu};
  void SetUp() override {
    enterVmx(cpu, m);
    ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  }
};

constexpr uint64_t kEptp = 0x50000 | 3 << 3 | 6; // WB, 4-level walk

TEST_F(VmxInvalidate, InveptSingleAndAllContext) {
  auto r = m.invept(1, kEptp);
  ASSERT_EQ(r.status, VmxStatus::Succeed);
  ASSERT_TRUE(r.flush);
  EXPECT_TRUE(r.flush->ept);
  EXPECT_EQ(r.flush->type, 1u);
  EXPECT_EQ(r.flush->eptp, kEptp);
  r = m.invept(2, 0);
  ASSERT_TRUE(r.flush);
  EXPECT_EQ(r.flush->type, 2u);
}

TEST_F(VmxInvalidate, InveptBadTypeOrEptpIs28) {
  for (uint64_t type : {0ull, 3ull, 1ull << 40}) {
    auto r = m.invept(type, kEptp);
    EXPECT_EQ(r.status, VmxStatus::FailValid) << type;
    EXPECT_EQ(r.error, 28u);
    EXPECT_FALSE(r.flush);
  }
  EXPECT_EQ(m.invept(1, 0x50000 | 3 << 3 | 1).error, 28u); // memory type WC
  EXPECT_EQ(m.invept(1, 0x50000 | 2 << 3 | 6).error, 28u); // 3-level walk
  EXPECT_EQ(m.currentVmcs()->get(vmcs::VmInstructionError), 28u);
}

TEST_F(VmxInvalidate, InvvpidTypes) {
  auto r = m.invvpid(0, 5, 0x401000);
  ASSERT_EQ(r.status, VmxStatus::Succeed);
  ASSERT_TRUE(r.flush);
  EXPECT_FALSE(r.flush->ept);
  EXPECT_EQ(r.flush->vpid, 5u);
  EXPECT_EQ(r.flush->linear, 0x401000u);
  EXPECT_EQ(m.invvpid(1, 5).status, VmxStatus::Succeed);
  EXPECT_EQ(m.invvpid(2, 0).status, VmxStatus::Succeed); // all-context ignores the VPID
  EXPECT_EQ(m.invvpid(3, 7).status, VmxStatus::Succeed);
}

TEST_F(VmxInvalidate, InvvpidBadOperandsAre28) {
  EXPECT_EQ(m.invvpid(4, 1).error, 28u);                        // no such type
  EXPECT_EQ(m.invvpid(1, 0).error, 28u);                        // VPID 0
  EXPECT_EQ(m.invvpid(1, 1ull << 16 | 1).error, 28u);           // reserved bits
  EXPECT_EQ(m.invvpid(0, 1, 0x0000800000000000ull).error, 28u); // non-canonical
}

TEST_F(VmxInvalidate, FailInvalidWithoutCurrentVmcs) {
  ASSERT_EQ(m.vmclear(kVmcsA).status, VmxStatus::Succeed);
  EXPECT_EQ(m.invept(0, 0).status, VmxStatus::FailInvalid);
  EXPECT_EQ(m.invvpid(2, 0).status, VmxStatus::Succeed);
}

TEST_F(VmxInvalidate, CapabilityMsrAdvertisesTheTypes) {
  uint64_t cap = vmx_cap::eptVpidCapMsr();
  EXPECT_TRUE(cap & 1ull << 25);  // single-context INVEPT
  EXPECT_TRUE(cap & 1ull << 26);  // all-context INVEPT
  EXPECT_FALSE(cap & 1ull << 24); // no type 0
  EXPECT_TRUE(cap & 1ull << 32);  // INVVPID
  EXPECT_EQ((cap >> 40) & 0xf, 0xfu);
}

} // namespace
} // namespace ringside
