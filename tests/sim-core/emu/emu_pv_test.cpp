// --virt on the emu backend: native (no VMM events), pv (hypercalls), and refusing what is not
// built.
#include "guest_run.h"

#include "arch/exit_reasons.h"
#include "errors.h"

#include <gtest/gtest.h>

namespace ringside::test {
namespace {

const std::filesystem::path kPvGuest = "lessons/05-paravirt/pv_guest.asm";
const std::filesystem::path kHello = "lessons/00-hello/hello.asm";

RunConfig virt(std::string name) {
  RunConfig c;
  c.virt = std::move(name);
  return c;
}

TEST(EmuPv, HypercallsDoWholeOperationsInOneExitEach) {
  auto run = runGuestFile(sourceDir() / kPvGuest, virt("pv"));
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_EQ(run.result.stop.code, 0);
  EXPECT_NE(run.console.find("16 PTEs written by one mmu_update hypercall"), std::string::npos);
  auto calls = run.all<HypercallEvent>();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0].nr, 0u);
  EXPECT_EQ(calls[1].nr, 1u);
  EXPECT_EQ(calls[1].result, 16u); // sixteen updates …
  size_t vmcalls = 0;
  for (const auto &e : run.all<ExitEvent>())
    vmcalls += e.reason == exit_reason::Vmcall;
  EXPECT_EQ(vmcalls, 4u); // … one VM exit each hypercall
  size_t flushes = 0;
  for (const auto &t : run.all<TlbEvent>())
    flushes += t.op == TlbOp::FlushAll;
  EXPECT_EQ(flushes, 1u); // … and one TLB flush for the batch
}

TEST(EmuPv, WithoutPvTheGuestIsToldAndHypercallsFail) {
  auto run = runGuestFile(sourceDir() / kPvGuest);
  EXPECT_EQ(run.result.stop.code, 2);
  EXPECT_NE(run.console.find("run with --virt pv"), std::string::npos);
  // A bare VMCALL outside pv gets KVM's "no such hypercall".
  auto raw = runSource("vmcall_no_pv", R"(
; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov eax, 0
        vmcall
        hlt
)");
  auto calls = raw.all<HypercallEvent>();
  ASSERT_EQ(calls.size(), 1u);
  EXPECT_EQ(calls[0].result, static_cast<uint64_t>(-1000));
}

TEST(EmuVirt, NativeRunsTheSameGuestWithNoVmm) {
  auto vtx = runGuestFile(sourceDir() / kHello);
  auto native = runGuestFile(sourceDir() / kHello, virt("native"));
  EXPECT_EQ(native.console, vtx.console);
  EXPECT_EQ(native.result.instructions, vtx.result.instructions);
  EXPECT_FALSE(vtx.all<ExitEvent>().empty());
  EXPECT_TRUE(native.all<ExitEvent>().empty());
  EXPECT_TRUE(native.all<EntryEvent>().empty());
  EXPECT_TRUE(native.all<VmcsEvent>().empty());
  EXPECT_FALSE(native.all<IoEvent>().empty()); // the devices are still there
}

TEST(EmuVirt, UnknownTechniquesAreRefused) {
  try {
    runGuestFile(sourceDir() / kHello, virt("xen"));
    FAIL();
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("available: native, trap, bt, pv, vtx"),
              std::string::npos);
  }
}

} // namespace
} // namespace ringside::test
