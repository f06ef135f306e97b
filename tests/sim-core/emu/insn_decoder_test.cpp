#include "emu/insn_decoder.h"

#include <gtest/gtest.h>

#include <vector>

namespace ringside::emu {
namespace {

InsnClass classOf(CodeMode mode, std::vector<uint8_t> bytes) {
  InsnDecoder decoder;
  auto d = decoder.decode(mode, bytes.data(), bytes.size());
  return d ? d->cls : InsnClass::None;
}

TEST(InsnDecoder, ClassifiesSensitiveInstructions) {
  EXPECT_EQ(classOf(CodeMode::Prot32, {0xE6, 0xE9}), InsnClass::Out);      // out 0xe9, al
  EXPECT_EQ(classOf(CodeMode::Prot32, {0xEC}), InsnClass::In);             // in al, dx
  EXPECT_EQ(classOf(CodeMode::Prot32, {0xF3, 0x6E}), InsnClass::StringIo); // rep outsb
  EXPECT_EQ(classOf(CodeMode::Prot32, {0xF4}), InsnClass::Hlt);
  EXPECT_EQ(classOf(CodeMode::Long64, {0x0F, 0x22, 0xD8}), InsnClass::MovToCr);   // mov cr3, rax
  EXPECT_EQ(classOf(CodeMode::Long64, {0x0F, 0x20, 0xC3}), InsnClass::MovFromCr); // mov rbx, cr0
  EXPECT_EQ(classOf(CodeMode::Real16, {0xCD, 0x10}), InsnClass::SoftInt);
  EXPECT_EQ(classOf(CodeMode::Prot32, {0xCF}), InsnClass::Iret);
  EXPECT_EQ(classOf(CodeMode::Long64, {0x48, 0xCF}), InsnClass::Iret); // iretq
  EXPECT_EQ(classOf(CodeMode::Prot32, {0xEA, 0, 0, 1, 0, 0x08, 0}), InsnClass::FarBranch);
  EXPECT_EQ(classOf(CodeMode::Prot32, {0xCB}), InsnClass::FarBranch); // retf
  EXPECT_EQ(classOf(CodeMode::Prot32, {0x0F, 0x01, 0xC1}), InsnClass::Vmcall);
  EXPECT_EQ(classOf(CodeMode::Prot32, {0x0F, 0x31}), InsnClass::Rdtsc);
  EXPECT_EQ(classOf(CodeMode::Prot32, {0x89, 0xC3}), InsnClass::None); // mov ebx, eax
  EXPECT_EQ(classOf(CodeMode::Prot32, {0xC3}), InsnClass::None);       // near ret
}

TEST(InsnDecoder, SplitsABlockIntoInstructionsAndFindsIntercepts) {
  // mov eax, 1; out 0xe9, al; inc eax; hlt
  std::vector<uint8_t> block = {0xB8, 1, 0, 0, 0, 0xE6, 0xE9, 0x40, 0xF4};
  InsnDecoder decoder;
  std::vector<std::pair<uint16_t, InsnClass>> sensitive;
  auto starts = decoder.split(CodeMode::Prot32, block.data(), block.size(), &sensitive);
  EXPECT_EQ(starts, (std::vector<uint16_t>{0, 5, 7, 8}));
  ASSERT_EQ(sensitive.size(), 2u);
  EXPECT_EQ(sensitive[0], (std::pair<uint16_t, InsnClass>{5, InsnClass::Out}));
  EXPECT_EQ(sensitive[1], (std::pair<uint16_t, InsnClass>{8, InsnClass::Hlt}));
}

TEST(InsnDecoder, RegisterIndexesFollowTheSdmOrder) {
  EXPECT_EQ(gprIndex(ZYDIS_REGISTER_RAX), 0);
  EXPECT_EQ(gprIndex(ZYDIS_REGISTER_EBX), 3);
  EXPECT_EQ(gprIndex(ZYDIS_REGISTER_SP), 4);
  EXPECT_EQ(gprIndex(ZYDIS_REGISTER_R15B), 15);
  EXPECT_EQ(gprIndex(ZYDIS_REGISTER_CR0), -1);
  EXPECT_EQ(crIndex(ZYDIS_REGISTER_CR4), 4);
  EXPECT_EQ(crIndex(ZYDIS_REGISTER_RAX), -1);
}

} // namespace
} // namespace ringside::emu
