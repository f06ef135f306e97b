// IA-32e delivery: 16-byte gates, RSPn/IST stacks from the 64-bit TSS, the 16-byte aligned frame.
#include "cpu/interrupt_delivery.h"
#include "delivery_fixture.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

using test::expectWrites;

constexpr uint64_t kGdt = 0x1000, kIdt = 0x3000, kTss = 0x5000;
constexpr uint64_t kIF = 1u << 9, kRF = 1u << 16;

class InterruptDeliveryLong : public ::testing::Test {
protected:
  InterruptDeliveryLong() : memory(0x100000) {
    const uint64_t gdt[] = {
        0,
        test::code64(0), // 0x08
        test::data32(0), // 0x10
        test::code32(3), // 0x18 compatibility-mode user code
        test::data32(3), // 0x20
        test::code64(3), // 0x28
        test::code32(0), // 0x30 not 64-bit
    };
    for (size_t i = 0; i < std::size(gdt); ++i)
      memory.put(kGdt + 8 * i, gdt[i], 8);
    memory.put(kTss + 4, 0x90000, 8);    // RSP0
    memory.put(kTss + 0x24, 0xA0008, 8); // IST1 (not 16-byte aligned on purpose)
    memory.put(kTss + 0x2C, 0xB0000, 8); // IST2
    cpu.mode = CpuMode::Long;
    cpu.gdtr = {kGdt, 8 * std::size(gdt) - 1};
    cpu.idtr = {kIdt, 0xFFF};
    cpu.tr = 0x38;
    cpu.trBase = kTss;
    cpu.trLimit = 0x67;
    cpu.cs = 0x08;
    cpu.ss = 0x10;
    cpu.rsp = 0x8008;
    cpu.rip = 0xFFFF800000001234;
    cpu.rflags = 0x2 | kIF;
  }
  void gate(uint8_t vector, uint16_t selector, uint64_t offset, uint8_t type, uint8_t dpl,
            uint8_t ist = 0) {
    memory.put(kIdt + 16u * vector, test::gateLow(selector, offset, type, dpl, true, ist), 8);
    memory.put(kIdt + 16u * vector + 8, test::gateHigh(offset), 8);
  }
  void user() {
    cpu.cpl = 3;
    cpu.cs = 0x2B;
    cpu.ss = 0x23;
    cpu.rsp = 0x7FFFFFFFE008;
    cpu.rip = 0x400000;
  }
  DeliveryPlan deliver(PendingEvent event) { return planDelivery(cpu, event, memory); }

  test::VectorMemory memory;
  CpuSnapshot cpu;
};

TEST_F(InterruptDeliveryLong, SamePrivilegeAlignsAndPushesFullFrame) {
  gate(13, 0x08, 0xFFFFFFFF80100000, 0xE, 0);
  const auto plan = deliver({13, EventType::HardwareException, true, 0});
  ASSERT_TRUE(plan.ok) << plan.explanation;
  // RSP 0x8008 is aligned down to 0x8000 first; SS and RSP are pushed even without a switch.
  expectWrites(plan, {{0x7FF8, 0x10, 8},
                      {0x7FF0, 0x8008, 8},
                      {0x7FE8, 0x2 | kIF | kRF, 8},
                      {0x7FE0, 0x08, 8},
                      {0x7FD8, 0xFFFF800000001234, 8},
                      {0x7FD0, 0, 8}});
  EXPECT_EQ(plan.newRsp, 0x7FD0u);
  EXPECT_EQ(plan.newRip, 0xFFFFFFFF80100000u);
  EXPECT_EQ(plan.newCs, 0x08);
  EXPECT_EQ(plan.newSs, 0x10);
  EXPECT_FALSE(plan.stackSwitch);
  EXPECT_EQ(plan.newRflags, 0x2u);
}

TEST_F(InterruptDeliveryLong, UserToKernelLoadsRsp0AndNullSs) {
  user();
  gate(0x20, 0x08, 0xFFFFFFFF80200000, 0xE, 0);
  const auto plan = deliver({0x20, EventType::External});
  ASSERT_TRUE(plan.ok) << plan.explanation;
  expectWrites(plan, {{0x8FFF8, 0x23, 8},
                      {0x8FFF0, 0x7FFFFFFFE008, 8},
                      {0x8FFE8, 0x2 | kIF, 8},
                      {0x8FFE0, 0x2B, 8},
                      {0x8FFD8, 0x400000, 8}});
  EXPECT_TRUE(plan.stackSwitch);
  EXPECT_EQ(plan.newSs, 0); // null selector, RPL = new CPL 0
  EXPECT_EQ(plan.newCpl, 0);
  EXPECT_EQ(plan.newCs, 0x08);
  EXPECT_EQ(plan.newRsp, 0x8FFD8u);
  EXPECT_NE(plan.explanation.find("CPL 3→0"), std::string::npos) << plan.explanation;
  EXPECT_NE(plan.explanation.find("RSP0"), std::string::npos) << plan.explanation;
}

TEST_F(InterruptDeliveryLong, CompatibilityModeCallerUsesSameFrame) {
  user();
  cpu.cs = 0x1B;
  cpu.rsp = 0xBFFFF0;
  gate(0x80, 0x08, 0xFFFFFFFF80300000, 0xF, 3);
  const auto plan = deliver({0x80, EventType::SoftwareInterrupt});
  ASSERT_TRUE(plan.ok) << plan.explanation;
  ASSERT_EQ(plan.writes.size(), 5u);
  EXPECT_EQ(plan.writes[3].bytes[0], 0x1B);
  EXPECT_EQ(plan.newRflags, 0x2 | kIF); // trap gate keeps IF
}

TEST_F(InterruptDeliveryLong, IstWithoutPrivilegeChangeKeepsSs) {
  gate(2, 0x08, 0xFFFFFFFF80400000, 0xE, 0, 1);
  const auto plan = deliver({2, EventType::External});
  ASSERT_TRUE(plan.ok) << plan.explanation;
  EXPECT_TRUE(plan.stackSwitch);
  EXPECT_EQ(plan.newSs, 0x10);
  ASSERT_EQ(plan.writes.size(), 5u);
  EXPECT_EQ(plan.writes[0].linear, 0x9FFF8u); // IST1 0xA0008 aligned down to 0xA0000
  EXPECT_EQ(plan.writes[1].bytes[1], 0x80);   // old RSP 0x8008 pushed unaligned
  EXPECT_EQ(plan.newRsp, 0x9FFD8u);
  EXPECT_NE(plan.explanation.find("IST1"), std::string::npos) << plan.explanation;
}

TEST_F(InterruptDeliveryLong, IstWinsOverRsp0OnPrivilegeChange) {
  user();
  gate(8, 0x08, 0xFFFFFFFF80500000, 0xE, 0, 2);
  const auto plan = deliver({8, EventType::HardwareException, true, 0});
  ASSERT_TRUE(plan.ok) << plan.explanation;
  EXPECT_EQ(plan.newSs, 0);
  EXPECT_EQ(plan.writes.size(), 6u);
  EXPECT_EQ(plan.writes.front().linear, 0xAFFF8u);
  EXPECT_EQ(plan.newRsp, 0xAFFD0u);
}

TEST_F(InterruptDeliveryLong, TargetMustBe64BitCode) {
  gate(0x20, 0x30, 0x1000, 0xE, 0);
  const auto plan = deliver({0x20, EventType::External});
  EXPECT_FALSE(plan.ok);
  EXPECT_EQ(plan.fault.vector, 13);
  EXPECT_EQ(plan.fault.errorCode, 0x31u);
}

TEST_F(InterruptDeliveryLong, OnlySixteenByteInterruptAndTrapGates) {
  gate(0x21, 0x08, 0x1000, 0x6, 0); // 16-bit interrupt gate: not valid in IA-32e
  EXPECT_EQ(deliver({0x21, EventType::External}).fault.errorCode, 0x21u * 8 + 3);
  gate(0x22, 0x08, 0x1000, 0x5, 0); // task gate
  EXPECT_EQ(deliver({0x22, EventType::External}).fault.vector, 13);
  cpu.idtr.limit = 0x1FF; // 32 gates of 16 bytes
  gate(0x1F, 0x08, 0x1000, 0xE, 0);
  EXPECT_TRUE(deliver({0x1F, EventType::External}).ok);
  EXPECT_EQ(deliver({0x20, EventType::External}).fault.errorCode, 0x20u * 8 + 3);
}

TEST_F(InterruptDeliveryLong, TssAndCanonicalChecks) {
  cpu.trLimit = 0x2B; // holds IST1 (0x24–0x2B) but not IST2
  gate(3, 0x08, 0x1000, 0xE, 0, 1);
  EXPECT_TRUE(deliver({3, EventType::External}).ok);
  gate(3, 0x08, 0x1000, 0xE, 0, 2);
  auto plan = deliver({3, EventType::External});
  EXPECT_EQ(plan.fault.vector, 10);
  EXPECT_EQ(plan.fault.errorCode, 0x39u);

  gate(4, 0x08, 0x0000800000000000, 0xE, 0); // non-canonical entry point
  plan = deliver({4, EventType::External});
  EXPECT_EQ(plan.fault.vector, 13);
  EXPECT_EQ(plan.fault.errorCode, 1u);

  memory.put(kTss + 0x24, 0x1234000000000000, 8); // non-canonical IST1
  gate(5, 0x08, 0x1000, 0xE, 0, 1);
  plan = deliver({5, EventType::SoftwareInterrupt});
  EXPECT_EQ(plan.fault.vector, 12);
  EXPECT_EQ(plan.fault.errorCode, 0u);
}

} // namespace
} // namespace ringside
