// VMLAUNCH, VMRESUME and the VM exit back to the guest hypervisor: the whole life cycle,
// launch-state errors, entry-check failures and VMX instructions in the nested guest.
#include "arch/exit_reasons.h"
#include "vmx_fake_cpu.h"

namespace ringside {
namespace {

using namespace testing;

struct VmxLaunch : ::testing::Test {
  FakeVmxCpu cpu;
  VmxMachine m{cpu};
  void SetUp() override {
    enterVmx(cpu, m);
    ASSERT_EQ(m.vmclear(kVmcsA).status, VmxStatus::Succeed);
    ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
    writeValidVmcs(m);
  }
  /// The nested guest executes HLT (exit reason 12) at `rip`.
  VmxTransition exitOnHlt(uint64_t rip) {
    VmxRegisterState guest = loadGuestState(*m.currentVmcs()).state;
    guest.rip = rip;
    GuestOperation op;
    op.op = GuestOp::Hlt;
    op.insnLength = 1;
    auto d = decideExit(*m.currentVmcs(), op);
    EXPECT_TRUE(d.exits());
    auto t = m.vmExit(d.info, guest);
    EXPECT_TRUE(t);
    return t ? *t : VmxTransition{};
  }
};

TEST_F(VmxLaunch, LifeCycle) {
  auto r = m.vmlaunch();
  ASSERT_EQ(r.status, VmxStatus::Entered) << r.why;
  ASSERT_TRUE(r.transition);
  EXPECT_EQ(r.transition->state.rip, kGuestRip);
  EXPECT_EQ(r.transition->state.rsp, kGuestRsp);
  EXPECT_EQ(r.transition->state[SegReg::Cs].accessRights, 0xc09bu);
  EXPECT_EQ(m.launchState(kVmcsA), VmxMachine::LaunchState::Launched);
  EXPECT_TRUE(m.nonRoot());

  // The nested guest halts at 0x8005: exit to HOST_RIP with the reason in the VMCS.
  VmxRegisterState guest = r.transition->state;
  guest.rip = 0x8005;
  guest.rflags = 0x202;
  GuestOperation hlt;
  hlt.op = GuestOp::Hlt;
  hlt.insnLength = 1;
  auto d = decideExit(*m.currentVmcs(), hlt);
  ASSERT_TRUE(d.exits());
  auto host = m.vmExit(d.info, guest);
  ASSERT_TRUE(host);
  EXPECT_FALSE(m.nonRoot());
  EXPECT_EQ(host->state.rip, kHostRip);
  EXPECT_EQ(host->state.rsp, kHostRsp);
  EXPECT_EQ(host->state.rflags, 0x2u);
  EXPECT_EQ(host->state.cr3, 0x1000u);
  EXPECT_EQ(host->state[SegReg::Cs].selector, 0x08u);
  EXPECT_EQ(host->state[SegReg::Cs].accessRights, 0xa09bu); // 64-bit code
  EXPECT_EQ(host->state[SegReg::Tr].selector, 0x18u);
  EXPECT_EQ(host->state[SegReg::Ds].accessRights & (1u << 16), 1u << 16); // null: unusable
  EXPECT_EQ(host->state.efer & 0x500, 0x500u);                            // LME, LMA
  EXPECT_EQ(m.vmread(vmcs::ExitReason).value, exit_reason::Hlt);
  EXPECT_EQ(m.vmread(vmcs::ExitInstructionLength).value, 1u);
  EXPECT_EQ(m.vmread(vmcs::GuestRip).value, 0x8005u); // guest state saved
  EXPECT_EQ(m.vmread(vmcs_state::GuestRflags).value, 0x202u);

  // The guest hypervisor skips the HLT and resumes.
  ASSERT_EQ(m.vmwrite(vmcs::GuestRip, 0x8006).status, VmxStatus::Succeed);
  r = m.vmresume();
  ASSERT_EQ(r.status, VmxStatus::Entered) << r.why;
  EXPECT_EQ(r.transition->state.rip, 0x8006u);
  ASSERT_TRUE(m.vmExit(d.info, guest));
  EXPECT_EQ(m.vmxoff().status, VmxStatus::Succeed);
  EXPECT_FALSE(m.inVmxOperation());
}

TEST_F(VmxLaunch, VmlaunchTwiceIs4) {
  ASSERT_EQ(m.vmlaunch().status, VmxStatus::Entered);
  exitOnHlt(0x8000);
  auto r = m.vmlaunch();
  EXPECT_EQ(r.status, VmxStatus::FailValid);
  EXPECT_EQ(r.error, 4u);
  EXPECT_TRUE(cpu.zf());
  EXPECT_EQ(m.vmread(vmcs::VmInstructionError).value, 4u);
  EXPECT_FALSE(m.nonRoot());
}

TEST_F(VmxLaunch, VmresumeOfClearVmcsIs5) {
  auto r = m.vmresume();
  EXPECT_EQ(r.status, VmxStatus::FailValid);
  EXPECT_EQ(r.error, 5u);
  EXPECT_EQ(m.vmread(vmcs::VmInstructionError).value, 5u);
}

TEST_F(VmxLaunch, VmclearResetsLaunchState) {
  ASSERT_EQ(m.vmlaunch().status, VmxStatus::Entered);
  exitOnHlt(0x8000);
  ASSERT_EQ(m.vmclear(kVmcsA).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  EXPECT_EQ(m.vmresume().error, 5u);
  EXPECT_EQ(m.vmlaunch().status, VmxStatus::Entered);
}

TEST_F(VmxLaunch, VmresumeAfterVmxoffIs6) {
  ASSERT_EQ(m.vmlaunch().status, VmxStatus::Entered);
  exitOnHlt(0x8000);
  ASSERT_EQ(m.vmxoff().status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  EXPECT_EQ(m.vmresume().error, 6u);
}

TEST_F(VmxLaunch, NoCurrentVmcsIsFailInvalid) {
  ASSERT_EQ(m.vmclear(kVmcsA).status, VmxStatus::Succeed);
  EXPECT_EQ(m.vmlaunch().status, VmxStatus::FailInvalid);
  EXPECT_TRUE(cpu.cf());
}

TEST_F(VmxLaunch, MovSsBlockingIs26) {
  cpu.movSs = true;
  EXPECT_EQ(m.vmlaunch().error, 26u);
}

TEST_F(VmxLaunch, BadControlsAre7) {
  ASSERT_EQ(m.vmwrite(vmcs::PinBasedControls, 0).status, VmxStatus::Succeed); // default1 bits clear
  auto r = m.vmlaunch();
  EXPECT_EQ(r.status, VmxStatus::FailValid);
  EXPECT_EQ(r.error, 7u);
  EXPECT_EQ(m.launchState(kVmcsA), VmxMachine::LaunchState::Clear);
}

TEST_F(VmxLaunch, BadHostStateIs8) {
  ASSERT_EQ(m.vmwrite(0x0c02, 0).status, VmxStatus::Succeed); // HOST_CS_SELECTOR null
  auto r = m.vmlaunch();
  EXPECT_EQ(r.error, 8u);
  EXPECT_EQ(r.why, "host CS and TR selectors are not null");
}

TEST_F(VmxLaunch, BadGuestStateFailsEntryWithReason33) {
  ASSERT_EQ(m.vmwrite(vmcs_state::GuestRflags, 0).status, VmxStatus::Succeed); // bit 1 clear
  auto r = m.vmlaunch();
  ASSERT_EQ(r.status, VmxStatus::EntryFailed);
  EXPECT_EQ(r.exitReason, 33u);
  EXPECT_EQ(m.vmread(vmcs::ExitReason).value, 0x80000021u);
  EXPECT_EQ(m.vmread(vmcs::ExitQualification).value, 0u);
  ASSERT_TRUE(r.transition);
  EXPECT_EQ(r.transition->state.rip, kHostRip); // back to the guest hypervisor
  EXPECT_FALSE(m.nonRoot());
  EXPECT_EQ(m.launchState(kVmcsA), VmxMachine::LaunchState::Clear);
}

TEST_F(VmxLaunch, MsrLoadFailureIsReason34WithEntryNumber) {
  cpu.put64(0x20000, 0x174); // IA32_SYSENTER_CS: fine
  cpu.put64(0x20008, 0x10);
  cpu.put64(0x20010, 0xc0000100); // FS_BASE: not allowed in the list
  ASSERT_EQ(m.vmwrite(vmcs_state::EntryMsrLoadAddr, 0x20000).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmwrite(vmcs_state::EntryMsrLoadCount, 2).status, VmxStatus::Succeed);
  auto r = m.vmlaunch();
  ASSERT_EQ(r.status, VmxStatus::EntryFailed);
  EXPECT_EQ(m.vmread(vmcs::ExitReason).value, 0x80000022u);
  EXPECT_EQ(m.vmread(vmcs::ExitQualification).value, 2u);
  ASSERT_EQ(m.vmwrite(vmcs_state::EntryMsrLoadCount, 1).status, VmxStatus::Succeed);
  r = m.vmlaunch();
  ASSERT_EQ(r.status, VmxStatus::Entered);
  ASSERT_EQ(r.transition->msrs.size(), 1u);
  EXPECT_EQ(r.transition->msrs[0].index, 0x174u);
  EXPECT_EQ(r.transition->msrs[0].value, 0x10u);
}

TEST_F(VmxLaunch, VmxInstructionsInTheNestedGuestExit) {
  ASSERT_EQ(m.vmlaunch().status, VmxStatus::Entered);
  struct Case {
    VmxResult r;
    uint16_t reason;
  };
  Case cases[] = {{m.vmclear(kVmcsB), 19}, {m.vmlaunch(), 20},   {m.vmptrld(kVmcsB), 21},
                  {m.vmptrst(0x100), 22},  {m.vmread(0), 23},    {m.vmresume(), 24},
                  {m.vmwrite(0, 0), 25},   {m.vmxoff(), 26},     {m.vmxon(kVmxonRegion), 27},
                  {m.invept(1, 0), 50},    {m.invvpid(1, 1), 53}};
  for (const auto &c : cases) {
    EXPECT_EQ(c.r.status, VmxStatus::NestedExit);
    EXPECT_EQ(c.r.exitReason, c.reason);
  }
  EXPECT_TRUE(m.nonRoot());
}

TEST_F(VmxLaunch, InjectionIsHandedOverAndClearedOnExit) {
  ASSERT_EQ(m.vmwrite(vmcs::EntryIntrInfo, 0x80000b0e).status, VmxStatus::Succeed); // #PF
  ASSERT_EQ(m.vmwrite(vmcs_state::EntryExceptionErrorCode, 2).status, VmxStatus::Succeed);
  auto r = m.vmlaunch();
  ASSERT_EQ(r.status, VmxStatus::Entered) << r.why;
  EXPECT_EQ(r.transition->injection, 0x80000b0eu);
  EXPECT_EQ(r.transition->injectionErrorCode, 2u);
  exitOnHlt(0x8000);
  EXPECT_EQ(m.vmread(vmcs::EntryIntrInfo).value, 0xb0eu);
}

TEST_F(VmxLaunch, TwoRegionsLaunchIndependently) {
  ASSERT_EQ(m.vmlaunch().status, VmxStatus::Entered);
  exitOnHlt(0x8000);
  ASSERT_EQ(m.vmclear(kVmcsB).status, VmxStatus::Succeed);
  ASSERT_EQ(m.vmptrld(kVmcsB).status, VmxStatus::Succeed);
  writeValidVmcs(m);
  ASSERT_EQ(m.vmwrite(vmcs::GuestRip, 0x9000).status, VmxStatus::Succeed);
  EXPECT_EQ(m.vmresume().error, 5u); // B is still clear
  auto r = m.vmlaunch();
  ASSERT_EQ(r.status, VmxStatus::Entered);
  EXPECT_EQ(r.transition->state.rip, 0x9000u);
  exitOnHlt(0x9000);
  ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
  r = m.vmresume();
  ASSERT_EQ(r.status, VmxStatus::Entered);
  EXPECT_EQ(r.transition->state.rip, 0x8000u); // what A's last exit saved
}

} // namespace
} // namespace ringside
