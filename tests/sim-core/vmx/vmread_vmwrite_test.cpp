// VMREAD and VMWRITE through the machine: operand sizes and the VM-instruction errors 12 and 13.
#include "vmx_fake_cpu.h"

namespace ringside {
namespace {

using namespace testing;

struct VmxReadWrite : ::testing::Test {
  FakeVmxCpu cpu;
  VmxMachine m{cpu};
  void SetUp() override {
    enterVmx(cpu, m);
    ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  }
};

TEST_F(VmxReadWrite, WriteThenRead) {
  ASSERT_EQ(m.vmwrite(vmcs::GuestRip, 0xffff800000001000ull).status, VmxStatus::Succeed);
  auto r = m.vmread(vmcs::GuestRip);
  EXPECT_EQ(r.status, VmxStatus::Succeed);
  EXPECT_EQ(r.value, 0xffff800000001000ull);
}

TEST_F(VmxReadWrite, ReadOnlyFieldIs13) {
  auto r = m.vmwrite(vmcs::ExitReason, 12);
  EXPECT_EQ(r.status, VmxStatus::FailValid);
  EXPECT_EQ(r.error, 13u);
  EXPECT_TRUE(cpu.zf());
  EXPECT_EQ(m.vmread(vmcs::VmInstructionError).value, 13u);
  EXPECT_EQ(m.vmread(vmcs::ExitReason).value, 0u); // not written
}

TEST_F(VmxReadWrite, UnsupportedComponentIs12) {
  EXPECT_EQ(m.vmwrite(0x7fff, 1).error, 12u);
  EXPECT_EQ(m.vmread(0x7fff).error, 12u);
  // In 64-bit mode the encoding register's bits 63:32 must be 0.
  EXPECT_EQ(m.vmread(0x1'0000'0000ull | vmcs::GuestRip).error, 12u);
  EXPECT_EQ(m.vmwrite(0x1'0000'0000ull | vmcs::GuestRip, 5).error, 12u);
}

TEST_F(VmxReadWrite, NoCurrentVmcsIsFailInvalid) {
  ASSERT_EQ(m.vmclear(kVmcsA).status, VmxStatus::Succeed);
  EXPECT_EQ(m.vmwrite(vmcs::GuestRip, 1).status, VmxStatus::FailInvalid);
  EXPECT_TRUE(cpu.cf());
  EXPECT_EQ(m.vmread(vmcs::GuestRip).status, VmxStatus::FailInvalid);
}

TEST_F(VmxReadWrite, ThirtyTwoBitOperandsOutsideLongMode) {
  cpu.modeValue = VmxCpuMode::Protected;
  ASSERT_EQ(m.vmwrite(vmcs::TscOffset, 0x1111222233334444ull).status, VmxStatus::Succeed);
  cpu.modeValue = VmxCpuMode::Long64;
  EXPECT_EQ(m.vmread(vmcs::TscOffset).value, 0x33334444u); // high half cleared
  ASSERT_EQ(m.vmwrite(vmcs::TscOffset, 0xaaaabbbbccccddddull).status, VmxStatus::Succeed);
  cpu.modeValue = VmxCpuMode::Protected;
  EXPECT_EQ(m.vmread(vmcs::TscOffset).value, 0xccccddddu);
  EXPECT_EQ(m.vmread(vmcs::TscOffset | 1).value, 0xaaaabbbbu); // the HIGH alias
}

TEST_F(VmxReadWrite, SuccessClearsAnEarlierFailureFlag) {
  ASSERT_EQ(m.vmwrite(vmcs::ExitReason, 1).status, VmxStatus::FailValid);
  ASSERT_TRUE(cpu.zf());
  ASSERT_EQ(m.vmwrite(vmcs::GuestRip, 1).status, VmxStatus::Succeed);
  EXPECT_FALSE(cpu.zf());
  EXPECT_FALSE(cpu.cf());
}

} // namespace
} // namespace ringside
