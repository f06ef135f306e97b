// The virtio-style devices and the PV hypercall doorbell on /dev/kvm: the same guests give the
// same console, exit counts and hypercalls as on the emu backend (skipped where KVM is not
// usable).
#include "arch/exit_reasons.h"
#include "errors.h"
#include "kvm_guest_run.h"

#include <gtest/gtest.h>

namespace ringside::test {
namespace {

const std::filesystem::path kLesson = "lessons/12-io-virt";
const std::filesystem::path kPvGuest = "lessons/05-paravirt/pv_guest.asm";

size_t ioExitsAt(const KvmRun &run, uint16_t port) {
  size_t n = 0;
  for (const auto &e : run.all<ExitEvent>())
    n += e.reason == exit_reason::IoInstruction && (e.qualification >> 16) == port;
  return n;
}

RunConfig pv() {
  RunConfig c;
  c.virt = "pv";
  return c;
}

TEST(KvmVirtio, UartAndVirtioConsoleOnKvm) {
  RINGSIDE_REQUIRE_KVM();
  auto uart = runOnKvm(sourceDir() / kLesson / "uart16.asm");
  auto virtio = runOnKvm(sourceDir() / kLesson / "virtio_console.asm");
  ASSERT_EQ(virtio.result.stop.kind, StopKind::Hlt) << virtio.result.stop.message;
  EXPECT_EQ(uart.console, "0123456789abcdef");
  EXPECT_EQ(virtio.console, uart.console);
  EXPECT_EQ(ioExitsAt(uart, 0x3F8), 16u);  // KVM_EXIT_IO per byte
  EXPECT_EQ(ioExitsAt(virtio, 0x614), 1u); // one KVM_EXIT_IO for the batch
}

TEST(KvmVirtio, BlockGuestOnKvm) {
  RINGSIDE_REQUIRE_KVM();
  auto run = runOnKvm(sourceDir() / kLesson / "virtio_block.asm");
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_EQ(run.result.stop.code, 0);
  EXPECT_NE(run.console.find("written by the guest through the virtqueue"), std::string::npos);
  EXPECT_EQ(ioExitsAt(run, 0x654), 1u);
}

TEST(KvmVirtio, CompletionInterruptWakesTheGuest) {
  RINGSIDE_REQUIRE_KVM();
  auto run = runTestGuest("virtio_irq.asm");
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_EQ(run.result.stop.code, 0); // the handler ran
  EXPECT_EQ(run.console, "irq");
}

TEST(KvmPv, TheDoorbellRunsTheSameHypercallsAsVmcallOnEmu) {
  RINGSIDE_REQUIRE_KVM();
  auto kvm = runOnKvm(sourceDir() / kPvGuest, pv());
  auto emuBackend = createBackend("emu");
  emuBackend->load(loadGuestImage((sourceDir() / kPvGuest).string(), {}), pv());
  auto emuResult = emuBackend->run();
  ASSERT_EQ(kvm.result.stop.kind, StopKind::ExitPort) << kvm.result.stop.message;
  EXPECT_EQ(kvm.result.stop.code, 0);
  EXPECT_EQ(emuResult.stop.kind, StopKind::ExitPort);
  EXPECT_EQ(kvm.console, emuBackend->platform().console());

  std::vector<HypercallEvent> emuCalls;
  for (const auto &e : emuBackend->trace().events())
    if (const auto *h = std::get_if<HypercallEvent>(&e.body))
      emuCalls.push_back(*h);
  auto kvmCalls = kvm.all<HypercallEvent>();
  ASSERT_EQ(kvmCalls.size(), 4u);
  ASSERT_EQ(emuCalls.size(), kvmCalls.size());
  for (size_t i = 0; i < kvmCalls.size(); ++i) {
    EXPECT_EQ(kvmCalls[i].nr, emuCalls[i].nr) << i;
    EXPECT_EQ(kvmCalls[i].args, emuCalls[i].args) << i;
    EXPECT_EQ(kvmCalls[i].result, emuCalls[i].result) << i;
  }
  EXPECT_EQ(kvmCalls[1].result, 16u); // the batch: 16 PTEs in one transition
  // On KVM each hypercall is one port exit at the doorbell, never a VMCALL.
  EXPECT_EQ(ioExitsAt(kvm, 0xF5), 4u);
  for (const auto &e : kvm.all<ExitEvent>())
    EXPECT_NE(e.reason, exit_reason::Vmcall);
}

TEST(KvmPv, WithoutPvTheGuestSaysSo) {
  RINGSIDE_REQUIRE_KVM();
  auto run = runOnKvm(sourceDir() / kPvGuest);
  EXPECT_EQ(run.result.stop.code, 2);
  EXPECT_NE(run.console.find("run with --virt pv"), std::string::npos);
  EXPECT_TRUE(run.all<HypercallEvent>().empty());
}

TEST(KvmPv, EmuOnlyTechniquesAreRefusedByName) {
  RINGSIDE_REQUIRE_KVM();
  RunConfig c;
  c.virt = "native";
  try {
    runOnKvm(sourceDir() / kPvGuest, c);
    FAIL() << "--virt native ran on kvm";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("emu backend only"), std::string::npos) << e.what();
  }
}

} // namespace
} // namespace ringside::test
