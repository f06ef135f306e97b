// Timer interrupts on the emu backend: deterministic instants, HLT sleeping until the timer,
// external-interrupt exits and injection on entry, and the interrupt window.
#include "guest_run.h"

#include "arch/exit_reasons.h"
#include "vmx/vmcs_fields.h"

#include <gtest/gtest.h>

namespace ringside::test {
namespace {

TEST(EmuTimer, HltSleepsUntilTheTimerAndTheWindowOpensAtSti) {
  auto run = runGuest("timer_pit.asm");
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_EQ(run.console, "4");
  std::vector<uint64_t> at;
  std::vector<uint16_t> reasons;
  for (const auto &e : run.events) {
    if (const auto *x = std::get_if<ExceptionEvent>(&e.body); x && x->vector == 0x20)
      at.push_back(e.instructions);
    if (const auto *x = std::get_if<ExitEvent>(&e.body); x && x->reason != 30)
      reasons.push_back(x->reason);
  }
  ASSERT_EQ(at.size(), 4u);
  // Three HLT exits, each followed by an injection; then the interrupt-window exit.
  EXPECT_EQ(reasons,
            (std::vector<uint16_t>{exit_reason::Hlt, exit_reason::Hlt, exit_reason::Hlt, 7}));
  size_t injections = 0;
  for (const auto &e : run.all<EntryEvent>())
    injections += e.injecting && e.vector == 0x20;
  EXPECT_EQ(injections, 4u);
  // The window exit is right after STI and the instruction it shadows.
  for (const auto &e : run.all<ExitEvent>())
    if (e.reason == 7) {
      EXPECT_EQ(e.rip, 0x7C4Du);
    }
  // The VMM asked for the window in its VMCS (primary control bit 2) and then cleared it.
  int set = 0, cleared = 0;
  for (const auto &v : run.all<VmcsEvent>())
    if (v.encoding == vmcs::CpuBasedControls) {
      set += !(v.oldValue & 4) && (v.newValue & 4);
      cleared += (v.oldValue & 4) && !(v.newValue & 4);
    }
  EXPECT_EQ(set, 1);
  EXPECT_EQ(cleared, 1);
  // Same instants every run.
  auto again = runGuest("timer_pit.asm");
  std::vector<uint64_t> at2;
  for (const auto &e : again.events)
    if (const auto *x = std::get_if<ExceptionEvent>(&e.body); x && x->vector == 0x20)
      at2.push_back(e.instructions);
  EXPECT_EQ(at, at2);
}

TEST(EmuTimer, MaskedTimerNeverWakesHlt) {
  auto run = runSource("masked_timer", R"(
; ringside: entry=real
bits 16
org 0x7C00
        mov al, 0x34
        out 0x43, al
        mov al, 100
        out 0x40, al
        xor al, al
        out 0x40, al
        sti
        hlt
)");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt); // the PIC masks everything until programmed
}

TEST(EmuTimer, WithoutEoiTheNextHltStopsTheRun) {
  // IRQ 0 stays in service, so no later edge can interrupt: HLT is the end, not a timeout.
  auto run = runSource("no_eoi", R"(; ringside: entry=real
bits 16
org 0x7C00
        cli
        xor ax, ax
        mov ds, ax
        mov ss, ax
        mov sp, 0x7000
        mov word [0x20 * 4], timer
        mov word [0x20 * 4 + 2], 0
        mov al, 0x11
        out 0x20, al
        mov al, 0x20
        out 0x21, al
        mov al, 0x04
        out 0x21, al
        mov al, 0x01
        out 0x21, al
        mov al, 0xFE
        out 0x21, al
        mov al, 0x34
        out 0x43, al
        mov ax, 100
        out 0x40, al
        mov al, ah
        out 0x40, al
        sti
.w:     hlt
        jmp .w
timer:  mov al, 'T'
        out 0xE9, al
        iret                        ; no EOI: IRQ 0 stays in service
)");
  EXPECT_EQ(run.console, "T");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt) << run.result.stop.message;
}

} // namespace
} // namespace ringside::test
