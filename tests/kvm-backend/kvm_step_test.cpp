// Single-step mode on the KVM backend (RunConfig::singleStep, `ringside run --step`).
#include "errors.h"
#include "kvm_guest_run.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace ringside::test {
namespace {

RunConfig stepping() {
  RunConfig config;
  config.singleStep = true;
  return config;
}

const char *kCountedLoop = R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov ecx, 10
.loop:  dec ecx
        jnz .loop
        mov al, 's'
        out 0xE9, al
        hlt
)";

/// Instructions the emu backend (which counts every one) retires for the same guest.
uint64_t emuInstructions(const std::filesystem::path &path) {
  auto emu = createBackend("emu");
  emu->load(loadGuestImage(path.string(), {}), {});
  return emu->run().instructions;
}

TEST(KvmStepTest, CountsEveryInstructionAndStopsAtTheSteppedOverHlt) {
  RINGSIDE_REQUIRE_KVM();
  const auto path = writeFile(scratchDir("kvm_step_count") / "guest.asm", kCountedLoop);
  auto run = runOnKvm(path, stepping());
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt) << run.result.stop.message;
  EXPECT_EQ(run.console, "s");
  // mov + 10 × (dec, jnz) + mov + out + hlt
  EXPECT_EQ(run.result.instructions, 24u);
  EXPECT_EQ(run.result.instructions, emuInstructions(path));
  // The HLT was inferred from the stepped-over instruction's byte, and says so.
  auto exits = run.all<ExitEvent>();
  ASSERT_FALSE(exits.empty());
  EXPECT_EQ(exits.back().reason, 12u); // HLT
  EXPECT_EQ(exits.back().source, EventSource::SingleStep);
  // Events carry the instruction count at which they happened.
  auto io = std::find_if(run.events.begin(), run.events.end(),
                         [](const Event &e) { return std::holds_alternative<IoEvent>(e.body); });
  ASSERT_NE(io, run.events.end());
  EXPECT_EQ(io->instructions, 22u); // the OUT is the 23rd: 22 retired before its exit
}

TEST(KvmStepTest, RealModeHelloStepsLikeTheEmulator) {
  RINGSIDE_REQUIRE_KVM();
  const auto path = sourceDir() / "lessons" / "00-hello" / "hello.asm";
  auto run = runOnKvm(path, stepping());
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt) << run.result.stop.message;
  EXPECT_EQ(run.console, "Hello from a guest in ring 0!\n");
  EXPECT_GT(run.result.instructions, run.console.size());
  EXPECT_EQ(run.result.instructions, emuInstructions(path));
}

TEST(KvmStepTest, MaxInsnsIsEnforcedExactly) {
  RINGSIDE_REQUIRE_KVM();
  RunConfig config = stepping();
  config.maxInstructions = 500;
  auto run = runTestGuest("spin.asm", config);
  EXPECT_EQ(run.result.stop.kind, StopKind::Budget) << run.result.stop.message;
  EXPECT_EQ(run.result.instructions, 500u);
  EXPECT_NE(run.result.stop.message.find("--max-insns"), std::string::npos);
}

TEST(KvmStepTest, WithoutStepNothingIsCounted) {
  RINGSIDE_REQUIRE_KVM();
  auto run = runKvmSource("kvm_step_off", kCountedLoop);
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt) << run.result.stop.message;
  EXPECT_EQ(run.result.instructions, 0u);
  EXPECT_EQ(run.all<ExitEvent>().back().source, EventSource::KvmRun);
}

// ring3_long.asm drops to CPL3 with IRETQ. Where stepping works at CPL3 the ring changes are
// recorded from real CS.RPL changes; on PVM the run stops before the IRETQ with an error that
// says why, instead of the triple fault the step's #DB would cause at CPL3.
TEST(KvmStepTest, EnteringCpl3IsARingEventOrAClearPvmStop) {
  RINGSIDE_REQUIRE_KVM();
  auto run = runTestGuest("ring3_long.asm", stepping());
  auto rings = run.all<RingEvent>();
  ASSERT_GE(rings.size(), 1u);
  EXPECT_EQ(rings[0].cause, RingCause::Start);
  if (kvm::probeHost().flavour == kvm::Flavour::Pvm) {
    EXPECT_EQ(run.result.stop.kind, StopKind::Error);
    EXPECT_NE(run.result.stop.message.find("enters CPL3"), std::string::npos)
        << run.result.stop.message;
    EXPECT_EQ(run.result.regs.cpl, 0);
    EXPECT_EQ(rings.size(), 1u);
    EXPECT_GT(run.result.instructions, 10u); // the set-up before the IRETQ was stepped
  } else {
    EXPECT_EQ(run.result.stop.kind, StopKind::ExitPort) << run.result.stop.message;
    ASSERT_GE(rings.size(), 3u);
    EXPECT_EQ(rings[1].from, 0);
    EXPECT_EQ(rings[1].to, 3);
    EXPECT_EQ(rings[1].cause, RingCause::Iret);
    EXPECT_EQ(rings[1].source, EventSource::SingleStep);
    EXPECT_EQ(rings[2].to, 0); // the #GP of HLT at CPL3
    EXPECT_EQ(rings[2].cause, RingCause::Interrupt);
  }
}

// A ring change the step does see on PVM: CPL0 code that IRETQs to another CPL0 segment does not
// change the ring, and one that loads a ring-3 CS is caught before it runs (above). Far returns
// that stay at CPL0 must not stop the run.
TEST(KvmStepTest, SameRingFarReturnIsStepped) {
  RINGSIDE_REQUIRE_KVM();
  auto run = runKvmSource("kvm_step_retf", R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rax, rsp
        push qword 0x10         ; SS
        push rax                ; RSP
        pushfq
        push qword 0x18         ; CS: the same ring-0 code segment
        lea rax, [rel back]
        push rax
        iretq
back:   mov al, 'i'
        out 0xE9, al
        hlt
)",
                          stepping());
  EXPECT_EQ(run.result.stop.kind, StopKind::Hlt) << run.result.stop.message;
  EXPECT_EQ(run.console, "i");
  EXPECT_EQ(run.result.instructions, 11u);
  EXPECT_EQ(run.all<RingEvent>().size(), 1u); // only the start
}

TEST(KvmStepTest, CapabilitiesFollowTheMode) {
  RINGSIDE_REQUIRE_KVM();
  auto backend = kvm::createKvmBackend();
  const auto path = writeFile(scratchDir("kvm_step_caps") / "guest.asm", kCountedLoop);
  backend->load(loadGuestImage(path.string(), {}), {});
  EXPECT_FALSE(backend->capabilities().exactInstructionCount);
  backend->load(loadGuestImage(path.string(), {}), stepping());
  EXPECT_TRUE(backend->capabilities().exactInstructionCount);
}

} // namespace
} // namespace ringside::test
