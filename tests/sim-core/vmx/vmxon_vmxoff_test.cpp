// VMXON and VMXOFF: the #UD, #GP and VMfail conditions of the SDM pseudo-code, in order.
#include "vmx_fake_cpu.h"

namespace ringside {
namespace {

using testing::FakeVmxCpu;
using testing::kVmxonRegion;

struct VmxOnOff : ::testing::Test {
  FakeVmxCpu cpu;
  VmxMachine m{cpu};
  void SetUp() override { cpu.put32(kVmxonRegion, vmx_cap::VmcsRevisionId); }
};

TEST_F(VmxOnOff, VmxonSucceedsAndClearsFlags) {
  cpu.rflagsValue = 0x2 | 0x8d5; // every status flag set
  auto r = m.vmxon(kVmxonRegion);
  EXPECT_EQ(r.status, VmxStatus::Succeed);
  EXPECT_EQ(cpu.rflagsValue, 0x2u);
  EXPECT_TRUE(m.inVmxOperation());
  EXPECT_EQ(m.vmxonPointer(), kVmxonRegion);
  EXPECT_EQ(m.currentVmcsPointer(), VmxMachine::kNoVmcs);
}

TEST_F(VmxOnOff, UdWithoutCr4Vmxe) {
  cpu.cr4Value &= ~vmx_cap::Cr4Vmxe;
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Ud);
  EXPECT_FALSE(m.inVmxOperation());
}

TEST_F(VmxOnOff, UdInRealVirtual8086AndCompatibilityMode) {
  for (auto mode : {VmxCpuMode::Real, VmxCpuMode::Virtual8086, VmxCpuMode::Compatibility}) {
    cpu.modeValue = mode;
    EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Ud) << int(mode);
  }
  cpu.modeValue = VmxCpuMode::Protected; // 32-bit protected mode is allowed
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Succeed);
}

TEST_F(VmxOnOff, GpAtCplAboveZero) {
  cpu.cplValue = 3;
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Gp);
}

TEST_F(VmxOnOff, GpWhenFeatureControlUnlockedOrVmxDisabled) {
  cpu.featureControlValue = feature_control::VmxOutsideSmx; // not locked
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Gp);
  cpu.featureControlValue = feature_control::Lock; // locked with VMX off
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Gp);
  cpu.featureControlValue = feature_control::Lock | feature_control::VmxInsideSmx;
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Gp); // inside-SMX only does not count
  EXPECT_FALSE(m.inVmxOperation());
}

TEST_F(VmxOnOff, GpWhenCr0LacksFixedBits) {
  cpu.cr0Value &= ~0x20ull; // NE clear: CR0_FIXED0 wants it
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Gp);
}

TEST_F(VmxOnOff, FailInvalidForBadPointerOrRevision) {
  EXPECT_EQ(m.vmxon(kVmxonRegion + 8).status, VmxStatus::FailInvalid); // unaligned
  EXPECT_TRUE(cpu.cf());
  EXPECT_EQ(m.vmxon(1ull << vmx_cap::PhysAddrBits).status, VmxStatus::FailInvalid);
  cpu.put32(kVmxonRegion, vmx_cap::VmcsRevisionId + 1);
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::FailInvalid);
  cpu.put32(kVmxonRegion, vmx_cap::VmcsRevisionId | 0x80000000u); // shadow bit not allowed
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::FailInvalid);
  EXPECT_EQ(m.vmxon(0xf0000000).status, VmxStatus::FailInvalid); // no RAM: reads all ones
  EXPECT_FALSE(m.inVmxOperation());
}

TEST_F(VmxOnOff, VmxonInRootFailsWith15) {
  ASSERT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Succeed);
  // No current VMCS: VMfailInvalid; with one, VMfailValid(15).
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::FailInvalid);
  cpu.put32(testing::kVmcsA, vmx_cap::VmcsRevisionId);
  ASSERT_EQ(m.vmptrld(testing::kVmcsA).status, VmxStatus::Succeed);
  auto r = m.vmxon(kVmxonRegion);
  EXPECT_EQ(r.status, VmxStatus::FailValid);
  EXPECT_EQ(r.error, 15u);
  EXPECT_TRUE(cpu.zf());
  EXPECT_EQ(m.currentVmcs()->get(vmcs::VmInstructionError), 15u);
  cpu.cplValue = 1;
  EXPECT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Gp);
}

TEST_F(VmxOnOff, VmxoffLeavesVmxOperation) {
  EXPECT_EQ(m.vmxoff().status, VmxStatus::Ud); // not in VMX operation
  ASSERT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Succeed);
  cpu.cplValue = 3;
  EXPECT_EQ(m.vmxoff().status, VmxStatus::Gp);
  cpu.cplValue = 0;
  cpu.modeValue = VmxCpuMode::Compatibility;
  EXPECT_EQ(m.vmxoff().status, VmxStatus::Ud);
  cpu.modeValue = VmxCpuMode::Long64;
  EXPECT_EQ(m.vmxoff().status, VmxStatus::Succeed);
  EXPECT_FALSE(m.inVmxOperation());
  EXPECT_EQ(m.vmxoff().status, VmxStatus::Ud);
}

TEST_F(VmxOnOff, EveryOtherInstructionIsUdOutsideVmxOperation) {
  EXPECT_EQ(m.vmclear(testing::kVmcsA).status, VmxStatus::Ud);
  EXPECT_EQ(m.vmptrld(testing::kVmcsA).status, VmxStatus::Ud);
  EXPECT_EQ(m.vmptrst(0x100).status, VmxStatus::Ud);
  EXPECT_EQ(m.vmread(vmcs::GuestRip).status, VmxStatus::Ud);
  EXPECT_EQ(m.vmwrite(vmcs::GuestRip, 1).status, VmxStatus::Ud);
  EXPECT_EQ(m.vmlaunch().status, VmxStatus::Ud);
  EXPECT_EQ(m.vmresume().status, VmxStatus::Ud);
  EXPECT_EQ(m.invept(2, 0).status, VmxStatus::Ud);
  EXPECT_EQ(m.invvpid(2, 0).status, VmxStatus::Ud);
}

TEST_F(VmxOnOff, GpAtCplThreeInRoot) {
  ASSERT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Succeed);
  cpu.cplValue = 3;
  EXPECT_EQ(m.vmclear(testing::kVmcsA).status, VmxStatus::Gp);
  EXPECT_EQ(m.vmread(vmcs::GuestRip).status, VmxStatus::Gp);
  EXPECT_EQ(m.vmlaunch().status, VmxStatus::Gp);
  EXPECT_EQ(m.invept(2, 0).status, VmxStatus::Gp);
}

TEST_F(VmxOnOff, StatusNamesAreDistinct) {
  EXPECT_EQ(vmxStatusName(VmxStatus::FailValid), "VMfailValid");
  EXPECT_EQ(vmxStatusName(VmxStatus::Ud), "#UD");
  EXPECT_NE(vmxStatusName(VmxStatus::Entered), vmxStatusName(VmxStatus::EntryFailed));
}

} // namespace
} // namespace ringside
