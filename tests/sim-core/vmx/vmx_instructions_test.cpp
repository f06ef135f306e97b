// The state transfer tables and capability MSRs: encodings against the field table, entry
// loads, exit saves and the fixed host values of SDM 27.5.
#include "vmx/vmx_instructions.h"

#include "vmx/vmcs_fields.h"

#include <gtest/gtest.h>
#include <string>

namespace ringside {
namespace {

TEST(VmxStateTransfer, SegmentEncodingsMatchTheFieldTable) {
  ASSERT_EQ(segmentFields().size(), kSegRegCount);
  for (size_t i = 0; i < kSegRegCount; ++i) {
    const auto &s = segmentFields()[i];
    EXPECT_EQ(size_t(s.reg), i);
    std::string n(s.name);
    EXPECT_EQ(vmcsFieldName(s.selector), "GUEST_" + n + "_SELECTOR");
    EXPECT_EQ(vmcsFieldName(s.limit), "GUEST_" + n + "_LIMIT");
    EXPECT_EQ(vmcsFieldName(s.accessRights), "GUEST_" + n + "_AR_BYTES");
    EXPECT_EQ(vmcsFieldName(s.base), "GUEST_" + n + "_BASE");
    if (s.hostSelector) {
      EXPECT_EQ(vmcsFieldName(s.hostSelector), "HOST_" + n + "_SELECTOR");
    }
    if (s.hostBase) {
      EXPECT_EQ(vmcsFieldName(s.hostBase), "HOST_" + n + "_BASE");
    }
  }
}

TEST(VmxStateTransfer, NamedEncodingsMatchTheFieldTable) {
  namespace f = vmcs_state;
  struct Row {
    uint32_t enc;
    std::string_view name;
  };
  const Row rows[] = {
      {f::ExitMsrStoreAddr, "VM_EXIT_MSR_STORE_ADDR"},
      {f::ExitMsrLoadAddr, "VM_EXIT_MSR_LOAD_ADDR"},
      {f::EntryMsrLoadAddr, "VM_ENTRY_MSR_LOAD_ADDR"},
      {f::VirtualApicPageAddr, "VIRTUAL_APIC_PAGE_ADDR"},
      {f::VmcsLinkPointer, "VMCS_LINK_POINTER"},
      {f::GuestIa32Debugctl, "GUEST_IA32_DEBUGCTL"},
      {f::GuestIa32Pat, "GUEST_IA32_PAT"},
      {f::GuestIa32Efer, "GUEST_IA32_EFER"},
      {f::HostIa32Pat, "HOST_IA32_PAT"},
      {f::HostIa32Efer, "HOST_IA32_EFER"},
      {f::ExitMsrStoreCount, "VM_EXIT_MSR_STORE_COUNT"},
      {f::ExitMsrLoadCount, "VM_EXIT_MSR_LOAD_COUNT"},
      {f::EntryMsrLoadCount, "VM_ENTRY_MSR_LOAD_COUNT"},
      {f::EntryExceptionErrorCode, "VM_ENTRY_EXCEPTION_ERROR_CODE"},
      {f::EntryInstructionLen, "VM_ENTRY_INSTRUCTION_LEN"},
      {f::GuestGdtrLimit, "GUEST_GDTR_LIMIT"},
      {f::GuestIdtrLimit, "GUEST_IDTR_LIMIT"},
      {f::GuestInterruptibility, "GUEST_INTERRUPTIBILITY_INFO"},
      {f::GuestActivityState, "GUEST_ACTIVITY_STATE"},
      {f::GuestSysenterCs, "GUEST_SYSENTER_CS"},
      {f::HostSysenterCs, "HOST_IA32_SYSENTER_CS"},
      {f::GuestGdtrBase, "GUEST_GDTR_BASE"},
      {f::GuestIdtrBase, "GUEST_IDTR_BASE"},
      {f::GuestDr7, "GUEST_DR7"},
      {f::GuestRsp, "GUEST_RSP"},
      {f::GuestRflags, "GUEST_RFLAGS"},
      {f::GuestSysenterEsp, "GUEST_SYSENTER_ESP"},
      {f::GuestSysenterEip, "GUEST_SYSENTER_EIP"},
      {f::HostCr0, "HOST_CR0"},
      {f::HostCr3, "HOST_CR3"},
      {f::HostCr4, "HOST_CR4"},
      {f::HostGdtrBase, "HOST_GDTR_BASE"},
      {f::HostIdtrBase, "HOST_IDTR_BASE"},
      {f::HostSysenterEsp, "HOST_IA32_SYSENTER_ESP"},
      {f::HostSysenterEip, "HOST_IA32_SYSENTER_EIP"},
      {f::HostRsp, "HOST_RSP"},
      {f::HostRip, "HOST_RIP"},
  };
  for (const auto &r : rows)
    EXPECT_EQ(vmcsFieldName(r.enc), r.name) << std::hex << r.enc;
}

TEST(VmxStateTransfer, BasicMsrCarriesTheRevisionAndRegionSize) {
  uint64_t basic = vmx_cap::basicMsr();
  EXPECT_EQ(basic & 0x7fffffff, vmx_cap::VmcsRevisionId);
  EXPECT_EQ((basic >> 32) & 0x1fff, 4096u);
  EXPECT_EQ((basic >> 50) & 0xf, 6u); // write-back
  EXPECT_TRUE(basic & 1ull << 55);    // TRUE control MSRs exist
  EXPECT_EQ((vmx_cap::miscMsr() >> 6) & 7, 7u);
}

TEST(VmxStateTransfer, SaveThenLoadRoundTrips) {
  Vmcs v;
  VmxRegisterState g;
  g.cr0 = 0x80000031;
  g.rip = 0x1234;
  g.rflags = 0x246;
  g[SegReg::Fs] = {0x23, 0x7000, 0xfffff, 0xc0f3};
  g.gdtrBase = 0x5000;
  g.gdtrLimit = 0x27;
  g.efer = 0x500;
  g.dr7 = 0x401;
  saveGuestState(v, g);
  // IA-32e mode guest follows EFER.LMA on exit; DR7 is saved only with "save debug controls".
  EXPECT_TRUE(v.get(vmcs::EntryControls) & (1u << 9));
  EXPECT_EQ(v.get(vmcs_state::GuestDr7), 0u);
  auto t = loadGuestState(v);
  EXPECT_EQ(t.state.rip, 0x1234u);
  EXPECT_EQ(t.state.rflags, 0x246u);
  EXPECT_EQ(t.state[SegReg::Fs].base, 0x7000u);
  EXPECT_EQ(t.state[SegReg::Fs].accessRights, 0xc0f3u);
  EXPECT_EQ(t.state.gdtrLimit, 0x27u);
  EXPECT_EQ(t.state.efer, 0x500u); // from "IA-32e mode guest" with PG
  EXPECT_EQ(t.eferMask, 0x500u);   // only LME/LMA without "load IA32_EFER"
  EXPECT_FALSE(t.loadDr7);
}

TEST(VmxStateTransfer, HostStateHasTheFixedValues) {
  Vmcs v;
  v.set(vmcs::ExitControls, 0); // 32-bit host
  v.set(segmentFields()[size_t(SegReg::Cs)].hostSelector, 0x08);
  v.set(segmentFields()[size_t(SegReg::Fs)].hostSelector, 0x30);
  v.set(segmentFields()[size_t(SegReg::Fs)].hostBase, 0xabc000);
  v.set(vmcs_state::HostRip, 0x1000);
  auto t = loadHostState(v);
  EXPECT_EQ(t.state.rip, 0x1000u);
  EXPECT_EQ(t.state.dr7, 0x400u);
  EXPECT_EQ(t.state[SegReg::Cs].accessRights, 0xc09bu); // 32-bit code
  EXPECT_EQ(t.state[SegReg::Fs].base, 0xabc000u);
  EXPECT_EQ(t.state[SegReg::Fs].accessRights, 0xc093u);
  EXPECT_EQ(t.state[SegReg::Tr].limit, 0x67u);
  EXPECT_TRUE(t.state[SegReg::Ldtr].accessRights & (1u << 16));
  EXPECT_EQ(t.state.gdtrLimit, 0xffffu);
  EXPECT_EQ(t.state.efer, 0u);
  EXPECT_FALSE(t.loadPat);
}

} // namespace
} // namespace ringside
