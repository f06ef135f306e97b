// VMCLEAR, VMPTRLD and VMPTRST: the current-VMCS pointer, launch states and their errors.
#include "vmx_fake_cpu.h"

namespace ringside {
namespace {

using namespace testing;

struct VmxPointer : ::testing::Test {
  FakeVmxCpu cpu;
  VmxMachine m{cpu};
  void SetUp() override { enterVmx(cpu, m); }
};

TEST_F(VmxPointer, VmclearMakesRegionClearAndVmptrldMakesItCurrent) {
  ASSERT_EQ(m.vmclear(kVmcsA).status, VmxStatus::Succeed);
  EXPECT_EQ(m.launchState(kVmcsA), VmxMachine::LaunchState::Clear);
  EXPECT_EQ(m.currentVmcsPointer(), VmxMachine::kNoVmcs);
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  EXPECT_EQ(m.currentVmcsPointer(), kVmcsA);
  ASSERT_NE(m.currentVmcs(), nullptr);
}

TEST_F(VmxPointer, VmclearOfCurrentVmcsInvalidatesThePointer) {
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmclear(kVmcsA).status, VmxStatus::Succeed);
  EXPECT_EQ(m.currentVmcsPointer(), VmxMachine::kNoVmcs);
  EXPECT_EQ(m.vmread(vmcs::GuestRip).status, VmxStatus::FailInvalid);
}

TEST_F(VmxPointer, VmclearInvalidAddressIs2) {
  // Without a current VMCS the error number has nowhere to go: VMfailInvalid.
  EXPECT_EQ(m.vmclear(kVmcsA + 0x10).status, VmxStatus::FailInvalid);
  ASSERT_EQ(m.vmptrld(kVmcsB).status, VmxStatus::Succeed);
  auto r = m.vmclear(kVmcsA + 0x10);
  EXPECT_EQ(r.status, VmxStatus::FailValid);
  EXPECT_EQ(r.error, 2u);
  EXPECT_EQ(m.vmclear(1ull << 40).error, 2u); // beyond MAXPHYADDR
  EXPECT_EQ(m.currentVmcs()->get(vmcs::VmInstructionError), 2u);
}

TEST_F(VmxPointer, VmclearOfVmxonPointerIs3) {
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  auto r = m.vmclear(kVmxonRegion);
  EXPECT_EQ(r.status, VmxStatus::FailValid);
  EXPECT_EQ(r.error, 3u);
}

TEST_F(VmxPointer, UnalignedVmptrldIs9) {
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  auto r = m.vmptrld(kVmcsB + 4);
  EXPECT_EQ(r.status, VmxStatus::FailValid);
  EXPECT_EQ(r.error, 9u);
  EXPECT_TRUE(cpu.zf());
  EXPECT_FALSE(cpu.cf());
  EXPECT_EQ(m.currentVmcsPointer(), kVmcsA); // unchanged
}

TEST_F(VmxPointer, VmptrldOfVmxonPointerIs10) {
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  EXPECT_EQ(m.vmptrld(kVmxonRegion).error, 10u);
}

TEST_F(VmxPointer, VmptrldWithWrongRevisionIs11) {
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  cpu.put32(kVmcsB, 0x11e57ed0); // KVM's vmcs12 revision, not this model's
  auto r = m.vmptrld(kVmcsB);
  EXPECT_EQ(r.status, VmxStatus::FailValid);
  EXPECT_EQ(r.error, 11u);
  EXPECT_EQ(m.vmptrld(0xf0000000).error, 11u); // out of RAM: all-ones revision
  EXPECT_EQ(m.currentVmcsPointer(), kVmcsA);
}

TEST_F(VmxPointer, VmptrldFailsInvalidWithoutCurrentVmcs) {
  EXPECT_EQ(m.vmptrld(kVmcsA + 1).status, VmxStatus::FailInvalid);
  EXPECT_TRUE(cpu.cf());
}

TEST_F(VmxPointer, VmptrstStoresTheCurrentPointer) {
  ASSERT_EQ(m.vmptrst(0x300).status, VmxStatus::Succeed);
  EXPECT_EQ(cpu.get64(0x300), ~0ull); // none current
  ASSERT_EQ(m.vmptrld(kVmcsB).status, VmxStatus::Succeed);
  auto r = m.vmptrst(0x308);
  EXPECT_EQ(r.status, VmxStatus::Succeed);
  EXPECT_EQ(r.value, kVmcsB);
  EXPECT_EQ(cpu.get64(0x308), kVmcsB);
}

TEST_F(VmxPointer, TwoRegionsKeepTheirOwnFields) {
  ASSERT_EQ(m.vmclear(kVmcsA).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmclear(kVmcsB).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmwrite(vmcs::GuestRip, 0xaaaa).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmptrld(kVmcsB).status, VmxStatus::Succeed);
  EXPECT_EQ(m.vmread(vmcs::GuestRip).value, 0u);
  ASSERT_EQ(m.vmwrite(vmcs::GuestRip, 0xbbbb).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  EXPECT_EQ(m.vmread(vmcs::GuestRip).value, 0xaaaau);
  EXPECT_EQ(m.vmcsAt(kVmcsB)->get(vmcs::GuestRip), 0xbbbbu);
  EXPECT_EQ(m.regionCount(), 2u);
}

TEST_F(VmxPointer, ListenerNamesTheRegion) {
  std::vector<std::pair<uint64_t, VmcsEvent>> seen;
  m.setListener([&](uint64_t region, const VmcsEvent &e) { seen.emplace_back(region, e); });
  ASSERT_EQ(m.vmptrld(kVmcsB).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmwrite(vmcs::GuestRip, 0x1234).status, VmxStatus::Succeed);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].first, kVmcsB);
  EXPECT_EQ(seen[0].second.encoding, vmcs::GuestRip);
}

} // namespace
} // namespace ringside
