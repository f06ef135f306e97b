// The VM-entry checks one by one: each broken field fails the check the SDM names, in the
// right area (controls -> 7, host state -> 8, guest state -> exit reason 33).
#include "vmx/vmentry_checks.h"

#include "vmx_fake_cpu.h"

namespace ringside {
namespace {

using namespace testing;

struct VmEntryChecks : ::testing::Test {
  FakeVmxCpu cpu;
  VmxMachine m{cpu};
  void SetUp() override {
    enterVmx(cpu, m);
    ASSERT_EQ(m.vmptrld(kVmcsA).status, VmxStatus::Succeed);
    writeValidVmcs(m);
  }
  std::optional<EntryCheckFailure> check(bool cpuIa32e = true) {
    return checkVmEntry({m.currentVmcs(), cpuIa32e, kVmxonRegion, &cpu});
  }
  void write(uint32_t enc, uint64_t value) { ASSERT_TRUE(m.currentVmcs()->set(enc, value)); }
  void expectFail(EntryCheckArea area, std::string_view check, uint64_t qual = 0) {
    auto f = this->check();
    ASSERT_TRUE(f) << "expected: " << check;
    EXPECT_EQ(f->area, area);
    EXPECT_EQ(f->check, check);
    EXPECT_EQ(f->qualification, qual);
  }
};

TEST_F(VmEntryChecks, ValidVmcsPasses) {
  auto f = check();
  EXPECT_FALSE(f) << f->check;
}

TEST_F(VmEntryChecks, ControlCapabilities) {
  write(vmcs::CpuBasedControls, adjustControls(vmcs::CpuBasedControls, 0) | (1u << 0));
  expectFail(EntryCheckArea::Controls, "primary controls respect IA32_VMX_TRUE_PROCBASED_CTLS");
}

TEST_F(VmEntryChecks, SecondaryControlsCountOnlyWhenActivated) {
  write(vmcs::SecondaryControls, 1u << 29); // not a supported bit
  EXPECT_FALSE(check());
  write(vmcs::CpuBasedControls,
        m.currentVmcs()->get(vmcs::CpuBasedControls) | ctl::ActivateSecondary);
  expectFail(EntryCheckArea::Controls, "secondary controls respect IA32_VMX_PROCBASED_CTLS2");
}

TEST_F(VmEntryChecks, UnrestrictedGuestNeedsEptAndVpidNeedsAnId) {
  write(vmcs::CpuBasedControls,
        m.currentVmcs()->get(vmcs::CpuBasedControls) | ctl::ActivateSecondary);
  write(vmcs::SecondaryControls, ctl::EnableVpid);
  expectFail(EntryCheckArea::Controls, "enable VPID needs a non-zero VPID");
  write(vmcs::VirtualProcessorId, 1);
  write(vmcs::SecondaryControls, ctl::EnableVpid | ctl::UnrestrictedGuest);
  expectFail(EntryCheckArea::Controls, "unrestricted guest needs enable EPT");
  write(vmcs::SecondaryControls, ctl::EnableVpid | ctl::UnrestrictedGuest | ctl::EnableEpt);
  write(vmcs::EptPointer, 0x50000 | 3 << 3 | 2); // memory type 2 is reserved
  expectFail(EntryCheckArea::Controls, "EPTP: memory type UC or WB, 4-level walk, reserved bits 0");
  write(vmcs::EptPointer, 0x50000 | 3 << 3 | 6);
  EXPECT_FALSE(check());
}

TEST_F(VmEntryChecks, BitmapAddressesMustBeAligned) {
  write(vmcs::CpuBasedControls, m.currentVmcs()->get(vmcs::CpuBasedControls) | ctl::UseMsrBitmaps);
  write(vmcs::MsrBitmap, 0x30010);
  expectFail(EntryCheckArea::Controls, "MSR bitmap address is 4 KiB aligned and within MAXPHYADDR");
}

TEST_F(VmEntryChecks, VirtualNmisNeedNmiExiting) {
  write(vmcs::PinBasedControls, adjustControls(vmcs::PinBasedControls, ctl::VirtualNmis));
  expectFail(EntryCheckArea::Controls,
             "virtual NMIs need NMI exiting; NMI-window exiting needs virtual NMIs");
}

TEST_F(VmEntryChecks, InjectionMustBeConsistent) {
  write(vmcs::EntryIntrInfo, 0x80000300 | 13); // #GP without "deliver error code"
  expectFail(EntryCheckArea::Controls, "VM-entry interruption information is consistent");
  write(vmcs::EntryIntrInfo, 0x80000200 | 3); // NMI type with vector 3
  expectFail(EntryCheckArea::Controls, "VM-entry interruption information is consistent");
  write(vmcs::EntryIntrInfo, 0x80000600 | 3); // INT3 with instruction length 0
  expectFail(EntryCheckArea::Controls, "VM-entry interruption information is consistent");
  write(vmcs_state::EntryInstructionLen, 1);
  EXPECT_FALSE(check());
}

TEST_F(VmEntryChecks, HostControlRegisters) {
  write(vmcs_state::HostCr4, 0x20); // VMXE clear
  expectFail(EntryCheckArea::HostState, "HOST_CR4 respects IA32_VMX_CR4_FIXED0/1");
  write(vmcs_state::HostCr4, 0x2000); // 64-bit host without PAE
  expectFail(EntryCheckArea::HostState,
             "64-bit host: HOST_CR4.PAE = 1 and HOST_RIP canonical; else RIP < 4 GiB");
}

TEST_F(VmEntryChecks, HostRipCanonicalAndSelectorRpl) {
  write(vmcs_state::HostRip, 0x0000800000000000ull);
  expectFail(EntryCheckArea::HostState,
             "64-bit host: HOST_CR4.PAE = 1 and HOST_RIP canonical; else RIP < 4 GiB");
  write(vmcs_state::HostRip, kHostRip);
  write(0x0c06, 0x13); // HOST_DS_SELECTOR with RPL 3
  expectFail(EntryCheckArea::HostState, "host selectors have RPL 0 and TI 0");
}

TEST_F(VmEntryChecks, HostAddressSpaceSizeFollowsTheCpu) {
  auto f = check(false); // a 32-bit guest hypervisor cannot have a 64-bit host
  ASSERT_TRUE(f);
  EXPECT_EQ(f->check, "host address-space size matches the CPU's IA-32e mode");
}

TEST_F(VmEntryChecks, GuestCr0AndUnrestrictedGuest) {
  write(vmcs::GuestCr0, 0x30); // real mode: PE and PG clear
  expectFail(EntryCheckArea::GuestState,
             "GUEST_CR0 respects the fixed bits (PE, PG free if unrestricted)");
  write(vmcs::CpuBasedControls,
        m.currentVmcs()->get(vmcs::CpuBasedControls) | ctl::ActivateSecondary);
  write(vmcs::SecondaryControls, ctl::EnableEpt | ctl::UnrestrictedGuest);
  write(vmcs::EptPointer, 0x50000 | 3 << 3 | 6);
  EXPECT_NE(check().value_or(EntryCheckFailure{}).check,
            "GUEST_CR0 respects the fixed bits (PE, PG free if unrestricted)");
  write(vmcs::GuestCr0, 0x80000030); // PG without PE
  expectFail(EntryCheckArea::GuestState, "GUEST_CR0: PG = 1 requires PE = 1");
}

TEST_F(VmEntryChecks, Ia32eGuestNeedsPae) {
  write(vmcs::EntryControls, adjustControls(vmcs::EntryControls, 1u << 9));
  expectFail(EntryCheckArea::GuestState,
             "IA-32e mode guest: CR0.PG = CR4.PAE = 1; otherwise CR4.PCIDE = 0");
}

TEST_F(VmEntryChecks, GuestSegments) {
  write(0x4822, 0x89); // TR: available (not busy) TSS
  expectFail(EntryCheckArea::GuestState,
             "TR: TI 0, usable, busy TSS type, S 0, present, limit matches G");
  write(0x4822, 0x8b);
  write(0x4816, 0xc093); // CS with a data type
  expectFail(EntryCheckArea::GuestState, "CS/SS/DS/ES/FS/GS access rights, DPLs and RPLs");
  write(0x4816, 0xc09b);
  write(0x4802, 0xffff0); // G = 1 needs limit bits 11:0 all ones
  expectFail(EntryCheckArea::GuestState, "CS/SS/DS/ES/FS/GS access rights, DPLs and RPLs");
  write(0x4802, 0xffffffff);
  write(0x0804, 0x13); // SS RPL 3 with CS RPL 0
  expectFail(EntryCheckArea::GuestState, "CS/SS/DS/ES/FS/GS access rights, DPLs and RPLs");
}

TEST_F(VmEntryChecks, GuestRflagsRipActivityInterruptibility) {
  write(vmcs_state::GuestRflags, 0x2 | (1u << 15));
  expectFail(EntryCheckArea::GuestState, "GUEST_RFLAGS: reserved bits 0 and bit 1 = 1");
  write(vmcs_state::GuestRflags, 0x2);
  write(vmcs::GuestRip, 0x100000000ull); // 32-bit guest
  expectFail(EntryCheckArea::GuestState,
             "GUEST_RIP: canonical with 64-bit CS, else bits 63:32 = 0");
  write(vmcs::GuestRip, kGuestRip);
  write(vmcs_state::GuestActivityState, 4);
  expectFail(EntryCheckArea::GuestState, "activity state is supported (0-3); HLT needs SS.DPL = 0");
  write(vmcs_state::GuestActivityState, 1);
  EXPECT_FALSE(check());
  write(vmcs_state::GuestInterruptibility, 1); // STI blocking with IF = 0
  expectFail(EntryCheckArea::GuestState,
             "interruptibility: reserved bits 0, not STI and MOV-SS together, "
             "no STI blocking with IF = 0 or an injected interrupt");
}

TEST_F(VmEntryChecks, LinkPointerFailureHasQualification4) {
  write(vmcs_state::VmcsLinkPointer, kVmcsB + 8);
  expectFail(EntryCheckArea::GuestState, "VMCS link pointer is all ones or names a valid VMCS", 4);
  write(vmcs_state::VmcsLinkPointer, kVmcsB); // a shadow VMCS while shadowing is off
  cpu.put32(kVmcsB, vmx_cap::VmcsRevisionId | 0x80000000u);
  expectFail(EntryCheckArea::GuestState, "VMCS link pointer is all ones or names a valid VMCS", 4);
  cpu.put32(kVmcsB, vmx_cap::VmcsRevisionId); // an ordinary VMCS is accepted
  EXPECT_FALSE(check());
}

TEST(VmEntryHelpers, CanonicalPhysicalAndPat) {
  EXPECT_TRUE(isCanonical(0x00007fffffffffffull));
  EXPECT_TRUE(isCanonical(0xffff800000000000ull));
  EXPECT_FALSE(isCanonical(0x0000800000000000ull));
  EXPECT_TRUE(physAddrValid((1ull << vmx_cap::PhysAddrBits) - 1));
  EXPECT_FALSE(physAddrValid(1ull << vmx_cap::PhysAddrBits));
  EXPECT_TRUE(patValid(0x0007040600070406ull));
  EXPECT_FALSE(patValid(0x0007040600070402ull));
}

} // namespace
} // namespace ringside
