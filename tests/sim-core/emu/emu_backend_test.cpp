// The emu backend end to end: guests from tests/guests run on Unicorn and the trace says
// what happened. Each test checks what the "done when" list asks for.
#include "guest_run.h"

#include "arch/exit_reasons.h"
#include "trace/trace_json.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ringside::test {
namespace {

bool hasRing(const GuestRun &run, uint8_t from, uint8_t to, RingCause cause) {
  auto rings = run.all<RingEvent>();
  return std::any_of(rings.begin(), rings.end(), [&](const RingEvent &r) {
    return r.from == from && r.to == to && r.cause == cause;
  });
}

size_t countExits(const GuestRun &run, uint16_t reason) {
  auto exits = run.all<ExitEvent>();
  return std::count_if(exits.begin(), exits.end(),
                       [&](const ExitEvent &e) { return e.reason == reason; });
}

TEST(EmuBackend, HelloLessonPrintsDrawsAndHalts) {
  auto run = runGuestFile(sourceDir() / "lessons" / "00-hello" / "hello.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt);
  EXPECT_EQ(run.console, "Hello from a guest in ring 0!\n");
  EXPECT_EQ(run.vga.substr(0, 2), "Hi");
  EXPECT_EQ(countExits(run, exit_reason::IoInstruction), run.console.size());
  EXPECT_EQ(countExits(run, exit_reason::Hlt), 1u);
  auto mmio = run.all<MmioEvent>();
  ASSERT_EQ(mmio.size(), 2u);
  EXPECT_EQ(mmio[0].gpa, 0xB8000u);
  EXPECT_TRUE(mmio[0].write);
  EXPECT_EQ(mmio[0].value, 0x1F48u);
  ASSERT_FALSE(run.events.empty());
  EXPECT_TRUE(std::holds_alternative<StopEvent>(run.events.back().body));
}

TEST(EmuBackend, RealModeEntry) {
  auto run = runSource("real_entry", "bits 16\norg 0x7c00\nmov ax, cs\nmov bx, 0x1234\nhlt\n");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt);
  EXPECT_EQ(run.result.regs.cs, 0);
  EXPECT_EQ(run.result.regs.gpr[3] & 0xFFFF, 0x1234u);
  EXPECT_EQ(run.result.regs.cr0 & 1, 0u) << "real mode: PE clear";
  EXPECT_EQ(run.result.regs.rip, 0x7C00u + 6) << "RIP after the HLT";
  EXPECT_EQ(run.result.instructions, 3u);
}

TEST(EmuBackend, RealModeSoftwareInterruptThroughTheIvtAtZero) {
  auto run = runSource("real_ivt", "bits 16\norg 0x7c00\nxor ax, ax\nmov ds, ax\n"
                                   "mov word [0x80*4], handler\nmov word [0x80*4+2], 0\n"
                                   "int 0x80\nhlt\nhandler: mov bx, 0x77\niret\n");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt);
  EXPECT_EQ(run.result.regs.gpr[3] & 0xFFFF, 0x77u) << "the handler ran and IRET came back";
  auto ex = run.all<ExceptionEvent>();
  ASSERT_EQ(ex.size(), 1u);
  EXPECT_EQ(ex[0].vector, 0x80);
  EXPECT_TRUE(ex[0].software);
}

TEST(EmuBackend, ProtectedModeEntry) {
  auto run = runSource("protected_entry", "; ringside: entry=protected load=0x10000\nbits 32\n"
                                          "org 0x10000\nmov eax, cr0\nmov ebx, esp\nhlt\n");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt);
  EXPECT_EQ(run.result.regs.cs, 0x08);
  EXPECT_EQ(run.result.regs.ss, 0x10);
  EXPECT_EQ(run.result.regs.gpr[0] & 0x80000001u, 1u) << "PE set, PG clear";
  EXPECT_EQ(run.result.regs.gpr[3], 0x7000u) << "the platform stack";
  EXPECT_EQ(run.result.instructions, 3u) << "the boot stub is not counted";
  EXPECT_TRUE(hasRing(run, 0, 0, RingCause::Start));
  EXPECT_EQ(run.all<ExitEvent>().size(), 1u) << "only the HLT: the stub's exits are not recorded";
}

TEST(EmuBackend, LongModeEntryWithIdentityMappedGiB) {
  auto run = runSource("long_entry", "; ringside: entry=long load=0x10000\nbits 64\norg 0x10000\n"
                                     "mov rax, 0x123456789\nmov [0x3ff000], rax\n"
                                     "mov rbx, [0x3ff000]\nmov rcx, cr3\nhlt\n");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt);
  EXPECT_EQ(run.result.regs.cs, 0x18);
  EXPECT_EQ(run.result.regs.gpr[3], 0x123456789u) << "RAM at 4 MiB through the platform map";
  EXPECT_EQ(run.result.regs.gpr[1], 0x2000u) << "the guest sees its own CR3, not the shadow's";
  EXPECT_TRUE(run.result.regs.efer & (1u << 10)) << "EFER.LMA";
  EXPECT_TRUE(run.result.regs.cr0 & (1u << 31));
  EXPECT_FALSE(run.result.regs.cr0 & (1u << 16)) << "the monitor's forced WP is not visible";
}

// Regression: a fetch from a page the shadow has not filled yet, beside one it has (the
// boot stub's), used to stop Unicorn without any hook and hang the run.
TEST(EmuBackend, LongModeGuestAboveOneMiB) {
  auto run = runSource("long_1mib", "; ringside: entry=long load=0x100000\nbits 64\n"
                                    "org 0x100000\nmov eax, 5\nhlt\n");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt) << run.result.stop.message;
  EXPECT_EQ(run.result.regs.gpr[0], 5u);
  EXPECT_EQ(run.result.instructions, 2u);
}

// Regression: Unicorn armed its #DF latch on fetch misses it reported to no hook; the next
// faults became #DF and then a silent reset, and the guest spun on its #GP.
TEST(EmuBackend, LongModeGeneralProtectionFaultsReachTheGuestIdt) {
  auto run =
      runGuestFile(sourceDir() / "tests" / "differential" / "corpus" / "long_exceptions.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_EQ(run.result.stop.code, 0);
  auto ex = run.all<ExceptionEvent>();
  ASSERT_EQ(ex.size(), 2u);
  EXPECT_EQ(ex[0].vector, 13);
  EXPECT_EQ(ex[0].errorCode, 0x80u);
  EXPECT_EQ(ex[1].vector, 13);
  EXPECT_EQ(ex[1].errorCode, 0u);
}

TEST(EmuBackend, LongModeCr3SwitchWithPagingOn) {
  auto run = runGuest("long_cr3_switch.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt) << run.result.stop.message;
  EXPECT_EQ(run.console, "k");
  EXPECT_EQ(run.result.regs.gpr[3], 0x201023u) << "the new PML4's entry, Accessed set by the walk";
  EXPECT_EQ(run.result.regs.gpr[1], 0x200000u) << "the guest reads back its own CR3";
}

TEST(EmuBackend, GuestSwitchesRealToProtectedToLong) {
  auto run = runGuest("modes_switch.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt);
  EXPECT_EQ(run.console, "RPL");
  EXPECT_EQ(run.result.regs.gpr[0], 0x1122334455667788u);
  EXPECT_EQ(run.result.regs.cs, 0x18);
  EXPECT_TRUE(run.result.regs.efer & (1u << 10));
  EXPECT_EQ(run.result.regs.cr3, 0x70000u);
  EXPECT_EQ(countExits(run, exit_reason::MsrRead), 1u);
  EXPECT_EQ(countExits(run, exit_reason::MsrWrite), 1u);
  // CR0 (PE), CR4 (PAE), CR0 (PG): CR3 loads do not exit under EPT-like controls.
  EXPECT_EQ(countExits(run, exit_reason::CrAccess), 3u);
}

TEST(EmuBackend, ConsoleOnDebugPortAndCom1AndExitPort) {
  auto run = runGuest("exit_code.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort);
  EXPECT_EQ(run.result.stop.code, 3);
  EXPECT_EQ(run.console, "serial\n");
  auto console = run.all<ConsoleEvent>();
  ASSERT_FALSE(console.empty());
  EXPECT_EQ(console.front().port, 0x3F8);
  auto io = run.all<IoEvent>();
  EXPECT_TRUE(std::any_of(io.begin(), io.end(), [](const IoEvent &e) {
    return e.port == 0x3FD && !e.write && (e.value & 0x20);
  })) << "the line-status register reads ready";
}

TEST(EmuBackend, ExitPortZeroIsSuccess) {
  auto run = runSource("exit_zero", "bits 16\norg 0x7c00\nxor eax, eax\nout 0xf4, eax\nhlt\n");
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort);
  EXPECT_EQ(run.result.stop.code, 0);
}

TEST(EmuBackend, ExceptionAtCpl3ThroughGuestIdtAndBackWithIret) {
  auto run = runGuest("ring3_idt.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort);
  EXPECT_EQ(run.result.stop.code, 0) << "exactly one #GP was taken";
  EXPECT_EQ(run.console, "ring 3\n#GP\nback in ring 3\n");
  auto exceptions = run.all<ExceptionEvent>();
  auto gp = std::find_if(exceptions.begin(), exceptions.end(),
                         [](const ExceptionEvent &e) { return e.vector == 13; });
  ASSERT_NE(gp, exceptions.end());
  EXPECT_TRUE(gp->hasErrorCode);
  EXPECT_EQ(gp->errorCode, 0u);
  EXPECT_FALSE(gp->software);
  EXPECT_TRUE(hasRing(run, 0, 3, RingCause::Iret));
  EXPECT_TRUE(hasRing(run, 3, 0, RingCause::Interrupt));
  // The #GP is delivered into the guest, not taken as a VM exit (not in the exception bitmap).
  EXPECT_EQ(countExits(run, exit_reason::ExceptionNmi), 0u);
  // The ring-0 handler stored the interrupted CS (ring 3) from its stack frame... and
  // returned to ring 3: the last ring change before the exit is 3 -> 0 by INT 0x80.
  auto rings = run.all<RingEvent>();
  ASSERT_GE(rings.size(), 6u);
  EXPECT_EQ(rings.back().from, 3);
  EXPECT_EQ(rings.back().to, 0);
}

TEST(EmuBackend, LongModeRing3FaultsOnHltAndOutThenReturnsWithIretq) {
  auto run = runGuest("ring3_long.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort);
  EXPECT_EQ(run.result.stop.code, 0) << "both #GPs were taken";
  EXPECT_EQ(run.console, "") << "the ring-3 OUT never reached the console";
  EXPECT_EQ(countExits(run, exit_reason::Hlt), 0u) << "HLT at CPL 3 faults before any exit";
  auto ex = run.all<ExceptionEvent>();
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[0].vector, 13);
  EXPECT_EQ(ex[1].vector, 13);
  EXPECT_EQ(ex[2].vector, 0x80);
  EXPECT_TRUE(ex[2].software);
  auto rings = run.all<RingEvent>();
  // start, 0→3 (IRETQ), 3→0 (#GP), 0→3, 3→0 (#GP), 0→3, 3→0 (INT 0x80)
  ASSERT_EQ(rings.size(), 7u);
  for (size_t i = 1; i < rings.size(); ++i)
    EXPECT_EQ(rings[i].cause, i % 2 ? RingCause::Iret : RingCause::Interrupt) << i;
  EXPECT_EQ(run.result.regs.cpl, 0);
}

TEST(EmuBackend, VirtualAddressInsideRamMappedToAnotherFrame) {
  auto run = runGuest("paging_alias.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort);
  EXPECT_EQ(run.result.stop.code, 0) << run.console;
  EXPECT_EQ(run.console, "alias ok\npage fault handled\n");
  auto walks = run.all<WalkEvent>();
  auto alias = std::find_if(walks.begin(), walks.end(),
                            [](const WalkEvent &w) { return w.gva == 0x400000 && w.ok; });
  ASSERT_NE(alias, walks.end());
  EXPECT_EQ(alias->gpa, 0x200000u);
  EXPECT_EQ(alias->stepCount, 2);
  EXPECT_EQ(alias->steps[0].tableAddr, 0x100000u);
  EXPECT_EQ(alias->steps[1].tableAddr, 0x102000u);
  auto pf = run.all<ExceptionEvent>();
  ASSERT_EQ(pf.size(), 1u);
  EXPECT_EQ(pf[0].vector, 14);
  EXPECT_EQ(pf[0].cr2, 0x401000u);
  EXPECT_EQ(pf[0].errorCode, 0u) << "not present, read, supervisor";
  auto tlb = run.all<TlbEvent>();
  EXPECT_TRUE(std::any_of(tlb.begin(), tlb.end(), [](const TlbEvent &t) {
    return t.op == TlbOp::FlushPage && t.va == 0x401000;
  })) << "INVLPG";
}

TEST(EmuBackend, TripleFaultShutsDown) {
  auto run = runGuest("triple_fault.asm");
  EXPECT_EQ(run.result.stop.kind, StopKind::Shutdown);
  EXPECT_EQ(countExits(run, exit_reason::TripleFault), 1u);
  auto ex = run.all<ExceptionEvent>();
  ASSERT_EQ(ex.size(), 3u);
  EXPECT_EQ(ex[0].vector, 3);
  EXPECT_EQ(ex[1].vector, 13);
  EXPECT_EQ(ex[2].vector, 8);
}

TEST(EmuBackend, BudgetStopsAnEndlessLoop) {
  RunConfig config;
  config.maxInstructions = 100000;
  auto run = runGuest("spin.asm", config);
  EXPECT_EQ(run.result.stop.kind, StopKind::Budget);
  EXPECT_GE(run.result.instructions, 100000u);
  EXPECT_LT(run.result.instructions, 100000u + 600) << "stops within one block";
}

TEST(EmuBackend, TimeoutStopsAnEndlessLoop) {
  RunConfig config;
  config.maxInstructions = 0;
  config.timeoutSeconds = 0.3;
  auto run = runGuest("spin.asm", config);
  EXPECT_EQ(run.result.stop.kind, StopKind::Timeout);
  EXPECT_GT(run.result.instructions, 0u);
}

TEST(EmuBackend, SameGuestSameTrace) {
  auto first = runGuest("paging_alias.asm");
  auto second = runGuest("ring3_idt.asm");
  auto third = runGuest("paging_alias.asm");
  ASSERT_EQ(first.events.size(), third.events.size());
  for (size_t i = 0; i < first.events.size(); ++i)
    ASSERT_EQ(toJsonLine(first.events[i]), toJsonLine(third.events[i])) << "event " << i;
  EXPECT_NE(first.events.size(), second.events.size());
}

TEST(EmuBackend, RdtscIsVirtualAndDeterministic) {
  auto run = runSource("rdtsc", "bits 16\norg 0x7c00\nnop\nnop\nrdtsc\nmov ebx, eax\nhlt\n");
  EXPECT_EQ(run.result.regs.gpr[3], 2u) << "one tick per retired instruction";
}

TEST(EmuBackend, InstructionCountsAndEventCountsAreMonotonic) {
  auto run = runGuest("ring3_idt.asm");
  for (size_t i = 1; i < run.events.size(); ++i) {
    EXPECT_EQ(run.events[i].seq, i);
    EXPECT_GE(run.events[i].instructions, run.events[i - 1].instructions) << "event " << i;
  }
}

TEST(EmuBackend, UnknownPortsReadAllOnesAndUnbackedMemoryToo) {
  auto run = runSource("unbacked", "; ringside: entry=protected load=0x10000\nbits 32\n"
                                   "org 0x10000\nin al, 0x60\nmov bl, al\n"
                                   "mov ecx, [0x8000000]\nhlt\n");
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt);
  EXPECT_EQ(run.result.regs.gpr[3] & 0xFF, 0xFFu);
  EXPECT_EQ(run.result.regs.gpr[1], 0xFFFFFFFFu) << "128 MiB is past the 16 MiB of RAM";
}

TEST(EmuBackend, InvalidOpcodeIsDeliveredToTheGuest) {
  // UD2 with no IDT: #UD (an intercepted exception: a VM exit), then #GP, #DF, shutdown.
  auto run = runSource("ud2", "; ringside: entry=protected load=0x10000\nbits 32\norg 0x10000\n"
                              "lidt [idtr]\nud2\nidtr: dw 0\ndd 0\n");
  EXPECT_EQ(run.result.stop.kind, StopKind::Shutdown);
  auto ex = run.all<ExceptionEvent>();
  ASSERT_FALSE(ex.empty());
  EXPECT_EQ(ex[0].vector, 6);
  EXPECT_EQ(countExits(run, exit_reason::ExceptionNmi), 1u) << "#UD is in the exception bitmap";
}

} // namespace
} // namespace ringside::test
