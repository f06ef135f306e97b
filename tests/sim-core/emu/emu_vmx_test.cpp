// The emu backend's exits come from the VT-x model: change a control and the same guest takes
// different exits; every exit and entry moves VMCS fields, recorded as `vmcs` events.
#include "guest_run.h"

#include "arch/exit_reasons.h"
#include "errors.h"
#include "vmx/vmcs_fields.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ringside::test {
namespace {

size_t exitsWith(const GuestRun &run, uint16_t reason) {
  auto exits = run.all<ExitEvent>();
  return std::count_if(exits.begin(), exits.end(),
                       [&](const ExitEvent &e) { return e.reason == reason; });
}

std::vector<VmcsEvent> changesOf(const GuestRun &run, uint32_t encoding) {
  std::vector<VmcsEvent> out;
  for (const auto &v : run.all<VmcsEvent>())
    if (v.encoding == encoding)
      out.push_back(v);
  return out;
}

RunConfig withOverride(std::string item, std::string profile = "") {
  RunConfig config;
  config.vmxProfile = std::move(profile);
  config.vmxOverrides = {std::move(item)};
  return config;
}

const std::filesystem::path kHello = "lessons/00-hello/hello.asm";

TEST(EmuVmx, ExitsWriteTheVmcsAndEntriesWriteBackGuestRip) {
  auto run = runGuestFile(sourceDir() / kHello);
  auto reasons = changesOf(run, vmcs::ExitReason);
  ASSERT_FALSE(reasons.empty());
  EXPECT_EQ(reasons.front().newValue, exit_reason::IoInstruction);
  EXPECT_EQ(reasons.back().newValue, exit_reason::Hlt);
  auto qual = changesOf(run, vmcs::ExitQualification);
  ASSERT_FALSE(qual.empty());
  EXPECT_EQ(qual.front().newValue, 0xE90040u) << "out 0xe9, al: port 0xE9, immediate, 1 byte";
  // The monitor advances GUEST_RIP past the OUT before resuming: 0x7C0D -> 0x7C0F.
  auto rips = changesOf(run, vmcs::GuestRip);
  EXPECT_TRUE(std::any_of(rips.begin(), rips.end(), [](const VmcsEvent &e) {
    return e.oldValue == 0x7C0D && e.newValue == 0x7C0F;
  }));
  // An exit is recorded before the VMCS changes it caused.
  for (size_t i = 0; i + 1 < run.events.size(); ++i)
    if (const auto *v = std::get_if<VmcsEvent>(&run.events[i + 1].body);
        v && v->encoding == vmcs::ExitReason) {
      EXPECT_TRUE(std::holds_alternative<ExitEvent>(run.events[i].body)) << "event " << i;
    }
}

TEST(EmuVmx, HltExitingOffMeansTheHaltIsNotAnExit) {
  auto on = runGuestFile(sourceDir() / kHello);
  auto off = runGuestFile(sourceDir() / kHello, withOverride("cpu_based.hlt_exiting=0"));
  EXPECT_EQ(exitsWith(on, exit_reason::Hlt), 1u);
  EXPECT_EQ(exitsWith(off, exit_reason::Hlt), 0u);
  EXPECT_EQ(off.result.stop.kind, StopKind::Hlt) << "the guest still halts";
  EXPECT_EQ(exitsWith(off, exit_reason::IoInstruction), 30u);
}

TEST(EmuVmx, UnconditionalIoExitingOffLetsPortIoThrough) {
  auto run = runGuestFile(sourceDir() / kHello, withOverride("cpu_based.uncond_io_exiting=0"));
  EXPECT_EQ(exitsWith(run, exit_reason::IoInstruction), 0u);
  EXPECT_EQ(run.console, "Hello from a guest in ring 0!\n") << "the device still sees the I/O";
}

TEST(EmuVmx, ShadowPagingProfileExitsOnCr3InvlpgAndPageFaults) {
  RunConfig config;
  config.vmxProfile = "shadow-paging";
  auto shadow = runGuest("paging_alias.asm", config);
  auto ept = runGuest("paging_alias.asm");
  EXPECT_EQ(shadow.result.stop.code, 0) << shadow.console;
  EXPECT_EQ(shadow.console, ept.console) << "same guest, same behaviour";
  EXPECT_EQ(exitsWith(ept, exit_reason::Invlpg), 0u);
  EXPECT_EQ(exitsWith(shadow, exit_reason::Invlpg), 1u);
  EXPECT_EQ(exitsWith(ept, exit_reason::ExceptionNmi), 0u);
  EXPECT_EQ(exitsWith(shadow, exit_reason::ExceptionNmi), 1u) << "#PF is intercepted";
  EXPECT_GT(exitsWith(shadow, exit_reason::CrAccess), exitsWith(ept, exit_reason::CrAccess))
      << "MOV to CR3 exits without EPT";
  auto exits = shadow.all<ExitEvent>();
  auto invlpg = std::find_if(exits.begin(), exits.end(),
                             [](const ExitEvent &e) { return e.reason == exit_reason::Invlpg; });
  ASSERT_NE(invlpg, exits.end());
  EXPECT_EQ(invlpg->qualification, 0x401000u) << "INVLPG's qualification is the address";
}

TEST(EmuVmx, BadProfileOrOverrideIsAnInputError) {
  RunConfig bad;
  bad.vmxProfile = "no-such-profile";
  EXPECT_THROW(runGuestFile(sourceDir() / kHello, bad), InputError);
  EXPECT_THROW(runGuestFile(sourceDir() / kHello, withOverride("cpu_based.no_such_bit=1")),
               InputError);
}

} // namespace
} // namespace ringside::test
