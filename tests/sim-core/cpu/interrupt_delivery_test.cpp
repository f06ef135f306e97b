// Real-mode and 32-bit protected-mode delivery, checked push by push against SDM vol. 3 ch. 6.
#include "cpu/interrupt_delivery.h"
#include "delivery_fixture.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

using test::expectWrites;
using test::gateLow;

constexpr uint64_t kGdt = 0x1000, kIdt = 0x2000, kTss = 0x5000;
constexpr uint64_t kIF = 1u << 9, kTF = 1u << 8, kRF = 1u << 16, kAC = 1u << 18, kVM = 1u << 17;

TEST(InterruptDeliveryReal, IntThroughIvtPushesFlagsCsIp) {
  test::VectorMemory memory(0x100000);
  memory.put(0x21 * 4, 0x5678, 2); // offset
  memory.put(0x21 * 4 + 2, 0x1234, 2);
  CpuSnapshot cpu;
  cpu.mode = CpuMode::Real;
  cpu.idtr = {0, 0x3FF};
  cpu.cs = 0x0050;
  cpu.rip = 0x0123;
  cpu.ss = 0x0700;
  cpu.ssBase = 0x7000;
  cpu.rsp = 0x0100;
  cpu.rflags = 0x2 | kIF | kTF | kAC;
  const auto plan = planDelivery(cpu, {0x21, EventType::SoftwareInterrupt}, memory);
  ASSERT_TRUE(plan.ok) << plan.explanation;
  expectWrites(plan, {{0x70FE, 0x0302, 2}, {0x70FC, 0x0050, 2}, {0x70FA, 0x0123, 2}});
  EXPECT_EQ(plan.newCs, 0x1234);
  EXPECT_EQ(plan.newRip, 0x5678u);
  EXPECT_EQ(plan.newRsp, 0xFAu);
  EXPECT_EQ(plan.newRflags, 0x2u); // IF, TF and AC cleared
  EXPECT_EQ(plan.newCpl, 0);
  EXPECT_FALSE(plan.stackSwitch);
  EXPECT_NE(plan.explanation.find("1234:5678"), std::string::npos) << plan.explanation;
}

TEST(InterruptDeliveryReal, StackPointerWrapsAtSixteenBitsAndNoErrorCode) {
  test::VectorMemory memory(0x100000);
  CpuSnapshot cpu;
  cpu.mode = CpuMode::Real;
  cpu.idtr = {0, 0x3FF};
  cpu.ssBase = 0x20000;
  cpu.rsp = 0x12340002;
  cpu.rflags = 0x2;
  const auto plan = planDelivery(cpu, {13, EventType::HardwareException, true, 0x18}, memory);
  ASSERT_TRUE(plan.ok);
  expectWrites(plan, {{0x20000, 0x2, 2}, {0x2FFFE, 0, 2}, {0x2FFFC, 0, 2}});
  EXPECT_EQ(plan.newRsp, 0x1234FFFCu);
}

TEST(InterruptDeliveryReal, VectorBeyondIvtLimitFaults) {
  test::VectorMemory memory(0x1000);
  CpuSnapshot cpu;
  cpu.mode = CpuMode::Real;
  cpu.idtr = {0, 0x7F}; // vectors 0–31 only
  const auto plan = planDelivery(cpu, {0x20, EventType::External}, memory);
  EXPECT_FALSE(plan.ok);
  EXPECT_EQ(plan.fault.vector, 13);
  EXPECT_FALSE(plan.fault.hasErrorCode);
}

class InterruptDeliveryProtected : public ::testing::Test {
protected:
  InterruptDeliveryProtected() : memory(0x100000) {
    const uint64_t gdt[] = {
        0,
        test::code32(0),                         // 0x08
        test::data32(0),                         // 0x10
        test::code32(3),                         // 0x18
        test::data32(3),                         // 0x20
        0,                                       // 0x28 (TSS, not read)
        test::data32(0, 0x10000),                // 0x30 stack with a base
        test::encodeSegment({.type = 0xF}),      // 0x38 conforming code
        test::encodeSegment({.present = false}), // 0x40 code not present
        test::data32(0),                         // 0x48 data, not code
        test::encodeSegment({.base = 0x20000,
                             .limit = 0xFFFF, // 0x50 16-bit stack
                             .type = 0x3,
                             .db = false,
                             .g = false}),
        test::encodeSegment({.type = 0x3, .present = false}), // 0x58 stack not present
        test::data32(3),                                      // 0x60 DPL3 data
    };
    for (size_t i = 0; i < std::size(gdt); ++i)
      memory.put(kGdt + 8 * i, gdt[i], 8);
    memory.put(kTss + 4, 0x9000, 4); // ESP0
    memory.put(kTss + 8, 0x30, 2);   // SS0
    cpu.mode = CpuMode::Protected;
    cpu.gdtr = {kGdt, 8 * std::size(gdt) - 1};
    cpu.idtr = {kIdt, 0x7FF};
    cpu.tr = 0x28;
    cpu.trBase = kTss;
    cpu.trLimit = 0x67;
    cpu.cs = 0x08;
    cpu.ss = 0x10;
    cpu.rsp = 0x8000;
    cpu.rip = 0x1234;
    cpu.rflags = 0x2 | kIF;
  }
  void gate(uint8_t vector, uint64_t low) { memory.put(kIdt + 8u * vector, low, 8); }
  void user() {
    cpu.cpl = 3;
    cpu.cs = 0x1B;
    cpu.ss = 0x23;
    cpu.rsp = 0x00BFFFF0;
    cpu.rip = 0x00401000;
  }
  DeliveryPlan deliver(PendingEvent event) { return planDelivery(cpu, event, memory); }

  test::VectorMemory memory;
  CpuSnapshot cpu;
};

TEST_F(InterruptDeliveryProtected, SamePrivilegeGpPushesErrorCodeAndRf) {
  gate(13, gateLow(0x08, 0x00101000, 0xE, 0));
  const auto plan = deliver({13, EventType::HardwareException, true, 0x18});
  ASSERT_TRUE(plan.ok) << plan.explanation;
  // Faults push RF = 1; the error code is the last push.
  expectWrites(
      plan,
      {{0x7FFC, 0x2 | kIF | kRF, 4}, {0x7FF8, 0x08, 4}, {0x7FF4, 0x1234, 4}, {0x7FF0, 0x18, 4}});
  EXPECT_EQ(plan.newCs, 0x08);
  EXPECT_EQ(plan.newRip, 0x00101000u);
  EXPECT_EQ(plan.newRsp, 0x7FF0u);
  EXPECT_EQ(plan.newRflags, 0x2u);
  EXPECT_EQ(plan.newCpl, 0);
  EXPECT_FALSE(plan.stackSwitch);
}

TEST_F(InterruptDeliveryProtected, UserToKernelSwitchesToTssStack) {
  user();
  cpu.rflags = 0x2 | kIF | kTF | (1u << 14); // NT too
  gate(14, gateLow(0x08, 0x00102000, 0xE, 0));
  const auto plan = deliver({14, EventType::HardwareException, true, 0x7});
  ASSERT_TRUE(plan.ok) << plan.explanation;
  // SS0 = 0x30 has base 0x10000, ESP0 = 0x9000: the frame ends at linear 0x19000.
  expectWrites(plan, {{0x18FFC, 0x23, 4},
                      {0x18FF8, 0x00BFFFF0, 4},
                      {0x18FF4, 0x2 | kIF | kTF | (1u << 14) | kRF, 4},
                      {0x18FF0, 0x1B, 4},
                      {0x18FEC, 0x00401000, 4},
                      {0x18FE8, 0x7, 4}});
  EXPECT_TRUE(plan.stackSwitch);
  EXPECT_EQ(plan.newSs, 0x30);
  EXPECT_EQ(plan.newRsp, 0x8FE8u);
  EXPECT_EQ(plan.newCs, 0x08);
  EXPECT_EQ(plan.newCpl, 0);
  EXPECT_EQ(plan.newRip, 0x00102000u);
  EXPECT_EQ(plan.newRflags, 0x2u); // IF, TF, NT cleared
  EXPECT_EQ(plan.explanation, "IDT[14]: 32-bit interrupt gate → 0008:00102000, CPL 3→0, stack "
                              "from TSS (0030:00009000), error code 0x7");
}

TEST_F(InterruptDeliveryProtected, TrapGateKeepsIfAndSoftwareIntPushesNoErrorCode) {
  user();
  gate(13, gateLow(0x08, 0x00103000, 0xF, 3));
  // INT 13 is a software interrupt: no error code even though vector 13 has one.
  const auto plan = deliver({13, EventType::SoftwareInterrupt, true, 0x55});
  ASSERT_TRUE(plan.ok) << plan.explanation;
  EXPECT_EQ(plan.writes.size(), 5u);
  EXPECT_EQ(plan.newRflags, 0x2 | kIF);
  EXPECT_EQ(plan.writes[2].bytes[2], 0u); // no RF in the pushed EFLAGS of INT n
}

TEST_F(InterruptDeliveryProtected, SixteenBitGatePushesWords) {
  gate(0x40, gateLow(0x08, 0x1234ABCD, 0x6, 0));
  const auto plan = deliver({0x40, EventType::External});
  ASSERT_TRUE(plan.ok) << plan.explanation;
  expectWrites(plan, {{0x7FFE, 0x2 | kIF, 2}, {0x7FFC, 0x08, 2}, {0x7FFA, 0x1234, 2}});
  EXPECT_EQ(plan.newRip, 0xABCDu);
  EXPECT_EQ(plan.newRsp, 0x7FFAu);
  EXPECT_EQ(plan.newRflags, 0x2u);
}

TEST_F(InterruptDeliveryProtected, SixteenBitStackWrapsSp) {
  cpu.ss = 0x50;
  cpu.ssBase = 0x20000;
  cpu.ss32 = false;
  cpu.rsp = 0x12340004;
  gate(0x41, gateLow(0x08, 0x5000, 0xE, 0));
  const auto plan = deliver({0x41, EventType::External});
  ASSERT_TRUE(plan.ok);
  expectWrites(plan, {{0x20000, 0x2 | kIF, 4}, {0x2FFFC, 0x08, 4}, {0x2FFF8, 0x1234, 4}});
  EXPECT_EQ(plan.newRsp, 0x1234FFF8u);
}

TEST_F(InterruptDeliveryProtected, IntFromUserThroughKernelGateIsGp) {
  user();
  gate(0x30, gateLow(0x08, 0x1000, 0xE, 0));
  auto plan = deliver({0x30, EventType::SoftwareInterrupt});
  EXPECT_FALSE(plan.ok);
  EXPECT_EQ(plan.fault.vector, 13);
  EXPECT_TRUE(plan.fault.hasErrorCode);
  EXPECT_EQ(plan.fault.errorCode, 0x30u * 8 + 2);
  // Hardware events ignore the gate DPL.
  EXPECT_TRUE(deliver({0x30, EventType::External}).ok);
}

TEST_F(InterruptDeliveryProtected, NotPresentGateIsNpWithExtForHardware) {
  gate(0x22, gateLow(0x08, 0x1000, 0xE, 0, false));
  auto plan = deliver({0x22, EventType::External});
  EXPECT_FALSE(plan.ok);
  EXPECT_EQ(plan.fault.vector, 11);
  EXPECT_EQ(plan.fault.errorCode, 0x22u * 8 + 2 + 1);
  plan = deliver({0x22, EventType::SoftwareInterrupt});
  EXPECT_EQ(plan.fault.errorCode, 0x22u * 8 + 2);
}

TEST_F(InterruptDeliveryProtected, GateTableChecks) {
  cpu.idtr.limit = 0xFF; // 32 gates
  EXPECT_EQ(deliver({0x20, EventType::External}).fault.errorCode, 0x20u * 8 + 3);
  gate(3, gateLow(0x08, 0x1000, 0xC, 0)); // a call gate is not an IDT gate
  auto plan = deliver({3, EventType::SoftwareException});
  EXPECT_EQ(plan.fault.vector, 13);
  EXPECT_EQ(plan.fault.errorCode, 3u * 8 + 2);
  gate(5, gateLow(0x28, 0, 0x5, 0));
  plan = deliver({5, EventType::HardwareException});
  EXPECT_FALSE(plan.ok);
  EXPECT_NE(plan.explanation.find("task gates are not supported"), std::string::npos);
  cpu.rflags |= kVM;
  plan = deliver({0x20, EventType::External});
  EXPECT_FALSE(plan.ok);
  EXPECT_NE(plan.explanation.find("virtual-8086"), std::string::npos);
}

TEST_F(InterruptDeliveryProtected, BadTargetSelectors) {
  const auto planFor = [&](uint16_t selector) {
    gate(0x20, gateLow(selector, 0x1000, 0xE, 0));
    return deliver({0x20, EventType::External});
  };
  EXPECT_EQ(planFor(0x0003).fault.errorCode, 1u); // null: #GP(EXT)
  auto plan = planFor(0x0100);                    // beyond the GDT limit
  EXPECT_EQ(plan.fault.vector, 13);
  EXPECT_EQ(plan.fault.errorCode, 0x101u);
  plan = planFor(0x000C); // LDT (TI = 1)
  EXPECT_EQ(plan.fault.errorCode, 0x0Du);
  EXPECT_NE(plan.explanation.find("LDT"), std::string::npos) << plan.explanation;
  EXPECT_EQ(planFor(0x0048).fault.errorCode, 0x49u); // data segment
  gate(0x21, gateLow(0x18, 0x1000, 0xE, 0));         // DPL3 code from CPL0
  EXPECT_EQ(deliver({0x21, EventType::SoftwareInterrupt}).fault.errorCode, 0x18u);
  plan = planFor(0x0040); // not present
  EXPECT_EQ(plan.fault.vector, 11);
  EXPECT_EQ(plan.fault.errorCode, 0x41u);
  EXPECT_TRUE(planFor(0x0008).ok);
}

TEST_F(InterruptDeliveryProtected, ConformingTargetKeepsCpl) {
  user();
  gate(0x50, gateLow(0x38, 0x2000, 0xE, 3));
  const auto plan = deliver({0x50, EventType::SoftwareInterrupt});
  ASSERT_TRUE(plan.ok) << plan.explanation;
  EXPECT_EQ(plan.newCpl, 3);
  EXPECT_EQ(plan.newCs, 0x3B);
  EXPECT_FALSE(plan.stackSwitch);
  EXPECT_EQ(plan.writes.size(), 3u);
}

TEST_F(InterruptDeliveryProtected, InnerStackChecks) {
  user();
  gate(0x20, gateLow(0x08, 0x1000, 0xE, 0));
  const auto faultWithSs0 = [&](uint16_t ss0) {
    memory.put(kTss + 8, ss0, 2);
    return deliver({0x20, EventType::External}).fault;
  };
  auto f = faultWithSs0(0x0000);
  EXPECT_EQ(f.vector, 10);
  EXPECT_EQ(f.errorCode, 1u);
  EXPECT_EQ(faultWithSs0(0x0013).errorCode, 0x11u); // RPL 3 ≠ CPL 0
  EXPECT_EQ(faultWithSs0(0x0008).errorCode, 0x09u); // code, not writable data
  EXPECT_EQ(faultWithSs0(0x0060).errorCode, 0x61u); // DPL 3
  f = faultWithSs0(0x0058);                         // not present: #SS
  EXPECT_EQ(f.vector, 12);
  EXPECT_EQ(f.errorCode, 0x59u);
}

TEST_F(InterruptDeliveryProtected, TssTooSmallIsTs) {
  user();
  cpu.trLimit = 8; // ESP0/SS0 need bytes 4–9
  gate(0x20, gateLow(0x08, 0x1000, 0xE, 0));
  const auto plan = deliver({0x20, EventType::External});
  EXPECT_FALSE(plan.ok);
  EXPECT_EQ(plan.fault.vector, 10);
  EXPECT_EQ(plan.fault.errorCode, 0x29u);
  cpu.trLimit = 9;
  EXPECT_TRUE(deliver({0x20, EventType::External}).ok);
}

TEST_F(InterruptDeliveryProtected, EntryPointBeyondCodeLimitIsGp) {
  memory.put(kGdt + 0x08, test::encodeSegment({.limit = 0xFFF, .g = false}), 8);
  gate(0x20, gateLow(0x08, 0x1000, 0xE, 0));
  const auto plan = deliver({0x20, EventType::External});
  EXPECT_EQ(plan.fault.vector, 13);
  EXPECT_EQ(plan.fault.errorCode, 1u);
}

TEST(InterruptDeliveryVectors, DoubleFaultTableAndErrorCodes) {
  EXPECT_TRUE(causesDoubleFault(13, 13));  // contributory, contributory
  EXPECT_TRUE(causesDoubleFault(0, 10));   // #DE then #TS
  EXPECT_FALSE(causesDoubleFault(13, 14)); // contributory then #PF: serial
  EXPECT_TRUE(causesDoubleFault(14, 13));
  EXPECT_TRUE(causesDoubleFault(14, 14));
  EXPECT_FALSE(causesDoubleFault(3, 13)); // benign first
  EXPECT_FALSE(causesDoubleFault(14, 6)); // benign second
  EXPECT_FALSE(causesDoubleFault(0x20, 13));
  for (unsigned v = 0; v < 256; ++v) {
    const bool expected =
        v == 8 || (v >= 10 && v <= 14) || v == 17 || v == 21 || v == 29 || v == 30;
    EXPECT_EQ(pushesErrorCode(static_cast<uint8_t>(v)), expected) << v;
  }
}

} // namespace
} // namespace ringside
