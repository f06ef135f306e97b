// Trap-and-emulate and binary translation on the emu backend (--virt trap|bt): one trap per
// privileged instruction, the x86 hole's leaks, the translation cache, and equivalence with
// native execution where the technique is correct.
#include "guest_run.h"

#include <gtest/gtest.h>

#include <set>
#include <sstream>

namespace ringside::test {
namespace {

RunConfig virt(std::string name) {
  RunConfig c;
  c.virt = std::move(name);
  return c;
}

std::string mnemonic(const std::string &insn) { return insn.substr(0, insn.find(' ')); }

std::vector<std::string> trapMnemonics(const GuestRun &run, const std::string &via = "") {
  std::vector<std::string> out;
  for (const auto &t : run.all<TrapEvent>())
    if (via.empty() || t.via == via)
      out.push_back(mnemonic(t.insn));
  return out;
}

void expectSameState(const GuestRun &a, const GuestRun &b) {
  EXPECT_EQ(a.result.stop.kind, b.result.stop.kind);
  EXPECT_EQ(a.result.stop.code, b.result.stop.code);
  EXPECT_EQ(a.result.instructions, b.result.instructions);
  EXPECT_EQ(a.console, b.console);
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(a.result.regs.gpr[i], b.result.regs.gpr[i]) << "gpr " << i;
  EXPECT_EQ(a.result.regs.rip, b.result.regs.rip);
  EXPECT_EQ(a.result.regs.rflags, b.result.regs.rflags);
  EXPECT_EQ(a.result.regs.cs, b.result.regs.cs);
  EXPECT_EQ(a.result.regs.ss, b.result.regs.ss);
  EXPECT_EQ(a.result.regs.cr0, b.result.regs.cr0);
  EXPECT_EQ(a.result.regs.cpl, b.result.regs.cpl);
}

// Lesson 03's guest: what students run is what these tests pin.
const auto kHoleGuest = sourceDir() / "lessons" / "03-x86-hole" / "hole_guest.asm";

const std::vector<std::string> kPrivileged = {"lgdt", "lidt", "lldt", "ltr",
                                              "mov",  "cli",  "sti",  "out"};

TEST(EmuClassic, NativeHasNoTraps) {
  auto run = runGuestFile(kHoleGuest, virt("native"));
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_TRUE(run.all<TrapEvent>().empty());
  EXPECT_TRUE(run.all<LeakEvent>().empty());
  EXPECT_TRUE(run.all<TranslateEvent>().empty());
}

TEST(EmuClassic, TrapTakesOneTrapPerPrivilegedInstruction) {
  auto run = runGuestFile(kHoleGuest, virt("trap"));
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_EQ(trapMnemonics(run), kPrivileged);
  // The CPU itself refused them at ring 1 (#GP); OUT is refused by the monitor's IOPL check.
  EXPECT_EQ(trapMnemonics(run, "gp").size(), kPrivileged.size() - 1);
  EXPECT_EQ(trapMnemonics(run, "io"), std::vector<std::string>{"out"});
  // The kernel really ran at ring 1, and the guest sees ring 0 in the end.
  auto rings = run.all<RingEvent>();
  ASSERT_FALSE(rings.empty());
  EXPECT_EQ(rings.front().to, 1);
  EXPECT_EQ(run.result.regs.cpl, 0);
  EXPECT_TRUE(run.all<ExitEvent>().empty()); // no VT-x here
}

TEST(EmuClassic, TrapLeaksEachSensitiveUnprivilegedInstruction) {
  auto run = runGuestFile(kHoleGuest, virt("trap"));
  std::vector<std::string> leaked;
  for (const auto &l : run.all<LeakEvent>()) {
    leaked.push_back(mnemonic(l.insn));
    EXPECT_NE(l.expected, l.seen) << l.insn;
  }
  const std::vector<std::string> list = {"pushfd", "sgdt", "sidt", "sldt", "str",  "smsw", "push",
                                         "mov",    "lar",  "lsl",  "verr", "verw", "popfd"};
  EXPECT_EQ(leaked, list);
  auto leaks = run.all<LeakEvent>();
  ASSERT_EQ(leaks.size(), list.size());
  EXPECT_EQ(leaks[0].what, "RFLAGS.IF/IOPL (pushed)");
  EXPECT_EQ(leaks[0].expected & 0x200, 0u); // the guest did CLI …
  EXPECT_EQ(leaks[0].seen & 0x200, 0x200u); // … the real IF stayed on
  EXPECT_EQ(leaks[1].what, "GDTR.base");
  EXPECT_EQ(leaks[1].seen, 0x1800u);   // the VMM's GDT
  EXPECT_EQ(leaks[4].expected, 0x20u); // the guest's TSS selector
  EXPECT_EQ(leaks[6].what, "CS.RPL");
  EXPECT_EQ(leaks[6].expected, 0u);
  EXPECT_EQ(leaks[6].seen, 1u);
  // None of them trapped.
  for (const auto &t : run.all<TrapEvent>())
    EXPECT_TRUE(std::find(list.begin() + 1, list.end(), mnemonic(t.insn)) == list.end() ||
                mnemonic(t.insn) == "mov")
        << t.insn;
}

TEST(EmuClassic, BtRewritesEverySensitiveInstructionAndLeaksNothing) {
  auto native = runGuestFile(kHoleGuest, virt("native"));
  auto run = runGuestFile(kHoleGuest, virt("bt"));
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  EXPECT_TRUE(run.all<LeakEvent>().empty());
  // Every privileged and every sensitive instruction became a callout, in program order.
  std::vector<std::string> expected = {"lgdt", "lidt", "lldt", "ltr",  "mov",   "cli",  "pushfd",
                                       "sgdt", "sidt", "sldt", "str",  "smsw",  "push", "mov",
                                       "lar",  "lsl",  "verr", "verw", "popfd", "sti",  "out"};
  EXPECT_EQ(trapMnemonics(run, "callout"), expected);
  uint32_t rewritten = 0;
  for (const auto &t : run.all<TranslateEvent>())
    if (!t.hit) {
      rewritten += t.rewritten;
      EXPECT_FALSE(t.original.empty());
      EXPECT_NE(t.translated.find("call vmm_"), std::string::npos);
    }
  EXPECT_GE(rewritten, expected.size());
  expectSameState(run, native); // no leak: the guest cannot tell
}

TEST(EmuClassic, BtCacheHitsAfterWarmUp) {
  auto run = runGuest("classic_loop.asm", virt("bt"));
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  // The loop head block: translated once, then found nine times.
  std::map<uint64_t, std::pair<int, int>> byBlock; // miss, hit
  for (const auto &t : run.all<TranslateEvent>())
    ++(t.hit ? byBlock[t.addr].second : byBlock[t.addr].first);
  const uint64_t loopHead = 0x10007; // after mov ecx, 10; jmp loop_head
  ASSERT_TRUE(byBlock.count(loopHead));
  EXPECT_EQ(byBlock[loopHead].first, 1);
  EXPECT_EQ(byBlock[loopHead].second, 9);
  EXPECT_EQ(trapMnemonics(run, "callout").size(), 3u * 10 + 1); // pushfd, cli, popfd; out
  expectSameState(run, runGuest("classic_loop.asm", virt("native")));
}

TEST(EmuClassic, BtTranslatesNoFurtherThanTheGuestsCode) {
  // classic_loop.asm is 0x11 bytes at 0x10000 and ends with `out 0xf4, eax`; the zeros after
  // it are no code of the guest's, though they decode (as `add [eax], al`).
  auto run = runGuest("classic_loop.asm", virt("bt"));
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  const uint64_t imageEnd = 0x10011;
  bool sawLast = false;
  for (const auto &t : run.all<TranslateEvent>()) {
    if (t.hit)
      continue;
    EXPECT_EQ(t.original.find("add [eax], al"), std::string::npos) << t.original;
    // Every translated instruction starts inside the image ("0x…: insn" lines).
    std::istringstream lines(t.original);
    for (std::string line; std::getline(lines, line);)
      EXPECT_LT(std::stoull(line.substr(0, line.find(':')), nullptr, 16), imageEnd) << line;
    if (t.addr == 0x1000d) { // xor eax, eax; out 0xf4, eax
      sawLast = true;
      EXPECT_EQ(t.insns, 2u);
      EXPECT_EQ(t.rewritten, 1u);
    }
  }
  EXPECT_TRUE(sawLast);
}

TEST(EmuClassic, PopfGuestRunsUnderTrapAndShowsItsLeak) {
  auto native = runGuest("classic_popf.asm", virt("native"));
  EXPECT_EQ(native.console, "interrupts are on\n");
  EXPECT_TRUE(native.result.regs.rflags & 0x200);
  auto run = runGuest("classic_popf.asm", virt("trap"));
  ASSERT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
  // The guest believes what PUSHF tells it (a second leak) …
  EXPECT_EQ(run.console, native.console);
  // … but the VMM never heard of the POPF: its virtual IF stays off.
  EXPECT_FALSE(run.result.regs.rflags & 0x200);
  bool popf = false, pushf = false;
  for (const auto &l : run.all<LeakEvent>()) {
    popf |= mnemonic(l.insn) == "popfd" && (l.expected & 0x200) && !(l.seen & 0x200);
    pushf |= mnemonic(l.insn) == "pushfd" && !(l.expected & 0x200) && (l.seen & 0x200);
  }
  EXPECT_TRUE(popf);
  EXPECT_TRUE(pushf);
  // Under bt the same guest runs as it does natively.
  expectSameState(runGuest("classic_popf.asm", virt("bt")), native);
}

// Guests with paging, faults, ring changes and timer or device interrupts: where the
// technique is correct (no leak on the guest's path) the final state is native's, instruction
// count included, whatever the VMM stepped, emulated or delivered on the way.
TEST(EmuClassic, PagingAndInterruptGuestsEndExactlyAsNative) {
  for (const auto &path :
       {sourceDir() / "tests/guests/long_cr3_switch.asm",
        sourceDir() / "tests/guests/paging_alias.asm", sourceDir() / "tests/guests/ring3_idt.asm",
        sourceDir() / "tests/guests/timer_pit.asm", sourceDir() / "tests/guests/virtio_irq.asm",
        sourceDir() / "tests/differential/corpus/long_exceptions.asm",
        sourceDir() / "tests/differential/corpus/pm_idt_gp.asm",
        sourceDir() / "lessons/09-interrupts/events.asm"}) {
    SCOPED_TRACE(path.filename().string());
    auto native = runGuestFile(path, virt("native"));
    ASSERT_NE(native.result.stop.kind, StopKind::Error) << native.result.stop.message;
    for (const char *t : {"trap", "bt"}) {
      SCOPED_TRACE(t);
      expectSameState(runGuestFile(path, virt(t)), native);
    }
  }
}

TEST(EmuClassic, IoplThatTheKernelsIretPopsReachesRing3UnderBtButNotTrap) {
  // The kernel IRETs to ring 3 with IOPL 3, and ring 3 writes the console with OUT.
  const auto path = sourceDir() / "tests/differential/corpus/pm_ring3_iopl.asm";
  auto native = runGuestFile(path, virt("native"));
  ASSERT_EQ(native.result.stop.kind, StopKind::ExitPort) << native.result.stop.message;
  // bt: the IRET is a callout; the VMM loads the popped IOPL into the virtual CPU, and checks
  // ring 3's I/O against it (the real IOPL stays the VMM's 0).
  expectSameState(runGuestFile(path, virt("bt")), native);
  // trap: the IRET runs at ring 1, where the CPU keeps IOPL: the OUT takes a #GP, and this
  // guest has no #GP handler.
  auto trap = runGuestFile(path, virt("trap"));
  EXPECT_EQ(trap.result.stop.kind, StopKind::Shutdown);
  ASSERT_FALSE(trap.all<ExceptionEvent>().empty());
  EXPECT_EQ(trap.all<ExceptionEvent>().front().vector, 13);
}

TEST(EmuClassic, RingsLessonRunsTheSameUnderEveryTechnique) {
  auto native = runGuestFile(sourceDir() / "lessons/01-rings/rings.asm", virt("native"));
  ASSERT_NE(native.result.stop.kind, StopKind::Error) << native.result.stop.message;
  for (const char *t : {"trap", "bt"}) {
    SCOPED_TRACE(t);
    auto run = runGuestFile(sourceDir() / "lessons/01-rings/rings.asm", virt(t));
    expectSameState(run, native);
  }
}

} // namespace
} // namespace ringside::test
