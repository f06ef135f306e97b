// Lesson 12's guests on the emu backend: 16 bytes through the UART cost 16 port-I/O exits, the
// same 16 bytes through the virtio-style console cost one notification; the block guest reads
// and writes the RAM-backed disk in one batch.
#include "guest_run.h"

#include "arch/exit_reasons.h"

#include <gtest/gtest.h>

namespace ringside::test {
namespace {

const std::filesystem::path kLesson = "lessons/12-io-virt";

size_t ioExitsAt(const GuestRun &run, uint16_t port) {
  size_t n = 0;
  for (const auto &e : run.all<ExitEvent>())
    n += e.reason == exit_reason::IoInstruction && (e.qualification >> 16) == port;
  return n;
}

size_t ioExits(const GuestRun &run) {
  size_t n = 0;
  for (const auto &e : run.all<ExitEvent>())
    n += e.reason == exit_reason::IoInstruction;
  return n;
}

TEST(EmuVirtio, SixteenBytesCostSixteenUartExitsOrOneNotification) {
  auto uart = runGuestFile(sourceDir() / kLesson / "uart16.asm");
  auto virtio = runGuestFile(sourceDir() / kLesson / "virtio_console.asm");
  ASSERT_EQ(uart.result.stop.kind, StopKind::Hlt) << uart.result.stop.message;
  ASSERT_EQ(virtio.result.stop.kind, StopKind::Hlt) << virtio.result.stop.message;
  EXPECT_EQ(uart.console, "0123456789abcdef");
  EXPECT_EQ(virtio.console, uart.console);
  EXPECT_EQ(ioExitsAt(uart, 0x3F8), 16u);
  EXPECT_EQ(ioExits(uart), 16u);
  EXPECT_EQ(ioExitsAt(virtio, 0x614), 1u); // the notification
  EXPECT_EQ(ioExits(virtio), 4u);          // three set-up writes, once per device
  auto console = virtio.all<ConsoleEvent>();
  ASSERT_EQ(console.size(), 1u);
  EXPECT_EQ(console[0].port, 0x600);
  EXPECT_EQ(console[0].text, "0123456789abcdef");
}

TEST(EmuVirtio, BlockGuestReadsWritesAndReadsBackInOneBatch) {
  auto run = runGuestFile(sourceDir() / kLesson / "virtio_block.asm");
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_EQ(run.result.stop.code, 0);
  EXPECT_EQ(run.console, "ringside disk sector 1\n"
                         "sector 2, written by the guest through the virtqueue\n");
  EXPECT_EQ(ioExitsAt(run, 0x654), 1u); // three requests, one notification
}

TEST(EmuVirtio, CompletionInterruptWakesTheGuest) {
  auto run = runGuest("virtio_irq.asm");
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_EQ(run.result.stop.code, 0); // the handler ran
  EXPECT_EQ(run.console, "irq");
  size_t injected = 0;
  for (const auto &e : run.all<EntryEvent>())
    injected += e.injecting && e.vector == 0x25;
  EXPECT_EQ(injected, 1u); // IRQ 5 at vector base 0x20, once
}

} // namespace
} // namespace ringside::test
