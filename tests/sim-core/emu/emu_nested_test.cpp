// Guest-written hypervisors on the emu backend: VMX instructions run on the VT-x model, the
// nested guest runs in non-root operation, and the trace shows both levels (docs/trace-format.md).
#include "guest_run.h"

#include "arch/exit_reasons.h"
#include "vmx/vmcs_fields.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

namespace ringside::test {
namespace {

const std::filesystem::path kTinyVmm = "lessons/07-vtx-lifecycle/tiny_vmm.asm";
const std::filesystem::path kOracle = "tests/vmx/oracle";
constexpr uint64_t kRegionA = 0x12000, kRegionB = 0x13000;

std::vector<VmcsEvent> regionChanges(const GuestRun &run, uint64_t region, uint32_t encoding) {
  std::vector<VmcsEvent> out;
  for (const auto &v : run.all<VmcsEvent>())
    if (v.region == region && v.encoding == encoding)
      out.push_back(v);
  return out;
}

TEST(EmuNested, TinyVmmLaunchesHandlesCpuidAndHltAndLeaves) {
  auto run = runGuestFile(sourceDir() / kTinyVmm);
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_NE(run.console.find("guest: hello from VMX non-root operation"), std::string::npos);
  EXPECT_NE(run.console.find("guest: CPUID says a hypervisor is present"), std::string::npos);
  EXPECT_NE(run.console.find("tiny-vmm: out of VMX operation"), std::string::npos);

  // The nested guest's CPUID and HLT are exits to the guest hypervisor, in that order, with
  // their instruction lengths.
  auto nested = nestedExits(run);
  ASSERT_EQ(nested.size(), 2u);
  EXPECT_EQ(nested[0].reason, exit_reason::Cpuid);
  EXPECT_EQ(nested[0].insnLength, 2);
  EXPECT_EQ(nested[1].reason, exit_reason::Hlt);
  EXPECT_EQ(nested[1].insnLength, 1);
  // …and written into its VMCS (region A), field by field.
  auto reasons = regionChanges(run, kRegionA, vmcs::ExitReason);
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[0].newValue, exit_reason::Cpuid);
  EXPECT_EQ(reasons[1].newValue, exit_reason::Hlt);
  // The VM exit saved the guest's RIP: the HLT's address is the last GUEST_RIP written.
  auto rips = regionChanges(run, kRegionA, vmcs::GuestRip);
  ASSERT_FALSE(rips.empty());
  EXPECT_EQ(rips.back().newValue, nested[1].rip);

  // Entries into the nested guest: VMLAUNCH, then VMRESUME after CPUID at RIP + 2.
  std::vector<EntryEvent> entries;
  for (const auto &e : run.all<EntryEvent>())
    if (e.nested)
      entries.push_back(e);
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1].rip, nested[0].rip + 2);

  // Each VMX instruction is an exit to Ringside's VMM (the outer level) and a `vmx` event.
  std::multiset<std::string> insns;
  for (const auto &v : run.all<VmxInsnEvent>()) {
    insns.insert(v.insn);
    if (v.insn != "vmlaunch" && v.insn != "vmresume") {
      EXPECT_EQ(v.status, "VMsucceed") << v.insn;
    }
  }
  EXPECT_EQ(insns.count("vmxon"), 1u);
  EXPECT_EQ(insns.count("vmlaunch"), 1u);
  EXPECT_EQ(insns.count("vmresume"), 1u);
  EXPECT_EQ(insns.count("vmxoff"), 1u);
  auto outer = run.all<ExitEvent>();
  EXPECT_EQ(std::count_if(
                outer.begin(), outer.end(),
                [](const ExitEvent &e) { return !e.nested && e.reason == exit_reason::Vmlaunch; }),
            1);
}

TEST(EmuNested, VmInstructionErrorsAreTheSdms) {
  auto run = runGuestFile(sourceDir() / kOracle / "vmx_errors.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  std::map<std::string, std::vector<uint32_t>> errors;
  for (const auto &v : run.all<VmxInsnEvent>())
    if (v.status == "VMfailValid")
      errors[v.insn].push_back(v.error);
  using V = std::vector<uint32_t>;
  EXPECT_EQ(errors["vmxon"], V{15});            // VMXON in VMX root operation
  EXPECT_EQ(errors["vmptrld"], (V{9, 10, 11})); // unaligned, the VMXON region, wrong revision
  EXPECT_EQ(errors["vmclear"], (V{2, 3}));      // unaligned, the VMXON region
  EXPECT_EQ(errors["vmwrite"], V{13});          // a read-only field
  EXPECT_EQ(errors["vmread"], V{12});           // an unsupported field
  EXPECT_EQ(errors["vmresume"], V{5});          // a clear VMCS
  EXPECT_EQ(errors["vmlaunch"], (V{7, 8, 4}));  // controls, host state, launched VMCS
  // A bad guest state is a VM-entry failure: an exit with reason 33 to the guest hypervisor.
  auto nested = nestedExits(run);
  ASSERT_GE(nested.size(), 1u);
  EXPECT_EQ(nested[0].reason, exit_reason::InvalidState);
  auto reasons = regionChanges(run, kRegionA, vmcs::ExitReason);
  ASSERT_FALSE(reasons.empty());
  EXPECT_EQ(reasons[0].newValue, 0x80000021u);
  // Two regions coexist, each with its own fields.
  EXPECT_FALSE(regionChanges(run, kRegionB, vmcs::GuestRip).empty());
  EXPECT_NE(run.console.find("stored pointer 00013000"), std::string::npos);
}

TEST(EmuNested, ExceptionBitmapAndInjection) {
  auto run = runGuestFile(sourceDir() / kOracle / "nested_events.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  auto nested = nestedExits(run);
  ASSERT_EQ(nested.size(), 2u);
  EXPECT_EQ(nested[0].reason, exit_reason::ExceptionNmi); // #DE is in the bitmap
  auto info = regionChanges(run, kRegionA, vmcs::ExitIntrInfo);
  ASSERT_FALSE(info.empty());
  EXPECT_EQ(info[0].newValue, 0x80000300u);
  // The injected interrupt reaches the nested guest's handler; #UD (not in the bitmap) goes
  // to the guest's own handler without an exit.
  bool injected = false;
  for (const auto &e : run.all<EntryEvent>())
    injected |= e.nested && e.injecting && e.vector == 0x20;
  EXPECT_TRUE(injected);
  EXPECT_NE(run.console.find("guest: interrupt 0x20 delivered"), std::string::npos);
  EXPECT_NE(run.console.find("guest: my #UD handler ran"), std::string::npos);
  EXPECT_NE(run.console.find("guest: CR0.TS reads 1"), std::string::npos); // the read shadow
}

TEST(EmuNested, TimerExitsAndInterruptWindow) {
  auto run = runGuestFile(sourceDir() / kOracle / "nested_timer.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  std::vector<uint16_t> reasons;
  for (const auto &e : nestedExits(run))
    reasons.push_back(e.reason);
  EXPECT_EQ(reasons, (std::vector<uint16_t>{exit_reason::ExternalInterrupt,
                                            exit_reason::ExternalInterrupt, 7}));
  auto info = regionChanges(run, kRegionA, vmcs::ExitIntrInfo);
  ASSERT_FALSE(info.empty());
  EXPECT_EQ(info[0].newValue, 0x80000020u); // acknowledged on exit: the vector is in it
  // The window opens after STI and the NOP it shadows: guest_sti + 1 + 1 + 1.
  EXPECT_NE(run.console.find("window exit at guest_sti+3"), std::string::npos) << run.console;
}

TEST(EmuNested, VmxInstructionsWithoutVmxOperationAreUd) {
  auto run = runGuestFile(sourceDir() / kOracle / "vmx_ud.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  auto vmx = run.all<VmxInsnEvent>();
  ASSERT_EQ(vmx.size(), 3u);
  for (const auto &v : vmx)
    EXPECT_EQ(v.status, "#UD") << v.insn;
  EXPECT_EQ(vmx[2].why, "CR4.VMXE = 0");
  auto ex = run.all<ExceptionEvent>();
  EXPECT_EQ(
      std::count_if(ex.begin(), ex.end(), [](const ExceptionEvent &e) { return e.vector == 6; }),
      3);
  EXPECT_NE(run.console.find("done"), std::string::npos);
}

} // namespace
} // namespace ringside::test
