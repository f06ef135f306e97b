// Checks the VMCS field table against ../shared/reference/vmcs_fields.json, both ways, and the
// encoding decode rules against the table.
#include "vmx/vmcs_fields.h"

#include "test_paths.h"

#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace ringside {
namespace {

struct RefField {
  std::string name, width, type;
};

class VmcsFieldsReference : public ::testing::Test {
protected:
  void SetUp() override {
    if (!std::filesystem::is_directory(test::sharedDir()))
      GTEST_SKIP() << "shared reference directory absent: " << test::sharedDir();
    auto path = test::sharedDir() / "reference" / "vmcs_fields.json";
    std::ifstream in(path);
    ASSERT_TRUE(in) << "cannot open " << path;
    auto doc = nlohmann::json::parse(in);
    for (const auto &f : doc.at("fields")) {
      auto enc = uint32_t(std::stoul(f.at("encoding").get<std::string>(), nullptr, 16));
      ASSERT_TRUE(
          reference_.emplace(enc, RefField{f.at("name"), f.at("width"), f.at("type")}).second)
          << "duplicate encoding in reference: " << enc;
    }
    ASSERT_GT(reference_.size(), 150u);
  }

  std::map<uint32_t, RefField> reference_;
};

// The reference's spelling of a table row's width and type.
std::string refWidth(const VmcsFieldInfo &f) {
  if (f.high)
    return "32 (high half of 64-bit field)";
  return std::string(vmcsWidthName(f.width));
}

std::string refType(const VmcsFieldInfo &f) {
  switch (f.type) {
  case VmcsType::Control:
    return "control";
  case VmcsType::ExitInfo:
    return "read-only exit information (VM-exit information / read-only data)";
  case VmcsType::Guest:
    return "guest-state";
  case VmcsType::Host:
    return "host-state";
  }
  return "?";
}

TEST_F(VmcsFieldsReference, EveryReferenceFieldIsInTheTable) {
  for (const auto &[enc, ref] : reference_) {
    const auto *f = findVmcsField(enc);
    ASSERT_NE(f, nullptr) << ref.name;
    EXPECT_EQ(f->name, ref.name);
    EXPECT_EQ(refWidth(*f), ref.width) << ref.name;
    EXPECT_EQ(refType(*f), ref.type) << ref.name;
    EXPECT_EQ(findVmcsField(ref.name), f) << ref.name;
  }
}

TEST_F(VmcsFieldsReference, EveryTableFieldIsInTheReference) {
  for (const auto &f : vmcsFields()) {
    auto it = reference_.find(f.encoding);
    ASSERT_NE(it, reference_.end()) << f.name;
    EXPECT_EQ(it->second.name, f.name);
  }
  EXPECT_EQ(vmcsFields().size(), reference_.size());
}

TEST(VmcsFields, DecodeRulesAgreeWithTheTable) {
  for (const auto &f : vmcsFields()) {
    auto parts = decodeVmcsEncoding(f.encoding);
    EXPECT_EQ(parts.high, f.high) << f.name;
    EXPECT_EQ(parts.type, f.type) << f.name;
    EXPECT_EQ(parts.width, f.width) << f.name;
    EXPECT_TRUE(parts.reservedBitsClear) << f.name;
    // Only 64-bit fields have a HIGH alias, and the alias follows its full field.
    if (f.high) {
      EXPECT_EQ(f.width, VmcsWidth::W64) << f.name;
      const auto *full = findVmcsField(f.encoding & ~1u);
      ASSERT_NE(full, nullptr) << f.name;
      EXPECT_EQ(std::string(full->name) + "_HIGH", f.name);
      EXPECT_EQ(full->group, f.group);
    }
  }
}

TEST(VmcsFields, SortedGroupedAndNamed) {
  auto table = vmcsFields();
  for (size_t i = 1; i < table.size(); ++i)
    EXPECT_LT(table[i - 1].encoding, table[i].encoding) << table[i].name;
  for (const auto &f : table) {
    // Groups never contradict the coarse type of the encoding.
    switch (f.group) {
    case VmcsGroup::GuestRegister:
    case VmcsGroup::GuestNonRegister:
      EXPECT_EQ(f.type, VmcsType::Guest) << f.name;
      break;
    case VmcsGroup::Host:
      EXPECT_EQ(f.type, VmcsType::Host) << f.name;
      break;
    case VmcsGroup::ExitInformation:
      EXPECT_EQ(f.type, VmcsType::ExitInfo) << f.name;
      break;
    default:
      EXPECT_EQ(f.type, VmcsType::Control) << f.name;
    }
    EXPECT_NE(vmcsGroupName(f.group), "unknown");
  }
  EXPECT_EQ(vmcsFieldName(vmcs::GuestRip), "GUEST_RIP");
  EXPECT_EQ(findVmcsField(vmcs::GuestRip)->group, VmcsGroup::GuestRegister);
  EXPECT_EQ(findVmcsField("GUEST_ACTIVITY_STATE")->group, VmcsGroup::GuestNonRegister);
  EXPECT_EQ(findVmcsField("VM_EXIT_MSR_LOAD_ADDR_HIGH")->group, VmcsGroup::ExitControls);
  EXPECT_EQ(findVmcsField("VM_ENTRY_INTR_INFO_FIELD")->group, VmcsGroup::EntryControls);
  EXPECT_EQ(findVmcsField("EPT_POINTER")->group, VmcsGroup::ExecutionControls);
  EXPECT_EQ(vmcsFieldName(0x6402), "UNKNOWN"); // I/O RCX: SDM field, not in Linux's enum
  EXPECT_EQ(findVmcsField("NO_SUCH_FIELD"), nullptr);
}

TEST(VmcsFields, NamedConstantsMatchTheTable) {
  EXPECT_EQ(vmcsFieldName(vmcs::IoBitmapB), "IO_BITMAP_B");
  EXPECT_EQ(vmcsFieldName(vmcs::ExitQualification), "EXIT_QUALIFICATION");
  EXPECT_EQ(vmcsFieldName(vmcs::ExitInstructionInfo), "VMX_INSTRUCTION_INFO");
  EXPECT_EQ(vmcsFieldName(vmcs::Cr3TargetValue0 + 6), "CR3_TARGET_VALUE3");
  EXPECT_EQ(vmcsFieldName(vmcs::SecondaryControls), "SECONDARY_VM_EXEC_CONTROL");
  EXPECT_EQ(vmcsFieldName(vmcs::TertiaryControls), "TERTIARY_VM_EXEC_CONTROL");
  EXPECT_EQ(vmcsFieldName(vmcs::IdtVectoringErrorCode), "IDT_VECTORING_ERROR_CODE");
}

} // namespace
} // namespace ringside
