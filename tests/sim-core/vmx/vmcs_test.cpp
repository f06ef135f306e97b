// The VMCS object: width rules, HIGH aliases, VMREAD/VMWRITE errors, change events.
#include "vmx/vmcs.h"

#include "test_paths.h"
#include "vmx/vm_instruction_errors.h"

#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <vector>

namespace ringside {
namespace {

TEST(Vmcs, WidthRulesTruncate) {
  Vmcs v;
  ASSERT_TRUE(v.vmwrite(0x0800, 0x12345678).ok()); // GUEST_ES_SELECTOR, 16-bit
  EXPECT_EQ(v.vmread(0x0800).value, 0x5678u);
  ASSERT_TRUE(v.vmwrite(vmcs::ExceptionBitmap, 0x1'0000'0042ull).ok()); // 32-bit
  EXPECT_EQ(v.get(vmcs::ExceptionBitmap), 0x42u);
  ASSERT_TRUE(v.vmwrite(vmcs::GuestRip, 0xffff'8000'0000'1000ull).ok()); // natural = 64
  EXPECT_EQ(v.get(vmcs::GuestRip), 0xffff'8000'0000'1000ull);
}

TEST(Vmcs, HighAliasReadsAndWritesBits63To32) {
  Vmcs v;
  ASSERT_TRUE(v.vmwrite(vmcs::TscOffset, 0x1111'2222'3333'4444ull).ok());
  EXPECT_EQ(v.vmread(vmcs::TscOffset | 1).value, 0x1111'2222u);
  ASSERT_TRUE(v.vmwrite(vmcs::TscOffset | 1, 0xaaaa'bbbb'cccc'ddddull).ok());
  EXPECT_EQ(v.get(vmcs::TscOffset), 0xcccc'dddd'3333'4444ull); // low half kept
  EXPECT_EQ(v.get(vmcs::TscOffset | 1), 0xcccc'ddddu);
}

TEST(Vmcs, VmInstructionErrors) {
  Vmcs v;
  EXPECT_EQ(v.vmread(0x6402).error, vmx_error::UnsupportedVmcsComponent); // not in the table
  EXPECT_EQ(v.vmwrite(0x7fff, 1).error, vmx_error::UnsupportedVmcsComponent);
  EXPECT_EQ(v.vmwrite(vmcs::ExitReason, 10).error, vmx_error::VmwriteReadOnlyComponent);
  EXPECT_EQ(v.vmwrite(vmcs::GuestPhysicalAddress | 1, 1).error,
            vmx_error::VmwriteReadOnlyComponent);
  EXPECT_EQ(v.get(vmcs::ExitReason), 0u);
  // The processor side may write them, and with IA32_VMX_MISC[29] so may VMWRITE.
  EXPECT_TRUE(v.set(vmcs::ExitReason, 10));
  EXPECT_EQ(v.vmread(vmcs::ExitReason).value, 10u);
  v.setVmwriteAnyField(true);
  EXPECT_TRUE(v.vmwrite(vmcs::ExitReason, 12).ok());
  EXPECT_EQ(v.get(vmcs::ExitReason), 12u);
  EXPECT_FALSE(v.set(0x6402, 1));
}

TEST(Vmcs, ListenerSeesEachChangeOnce) {
  Vmcs v;
  std::vector<VmcsEvent> events;
  v.setListener([&](const VmcsEvent &e) { events.push_back(e); });
  v.vmwrite(vmcs::GuestRip, 0x7c00);
  v.vmwrite(vmcs::GuestRip, 0x7c00); // unchanged: no event
  v.vmwrite(vmcs::EptPointer | 1, 0x1);
  v.vmwrite(0x0800, 0x10000);     // truncates to 0: unchanged
  v.vmwrite(vmcs::ExitReason, 1); // rejected: no event
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].encoding, vmcs::GuestRip);
  EXPECT_EQ(events[0].oldValue, 0u);
  EXPECT_EQ(events[0].newValue, 0x7c00u);
  EXPECT_EQ(events[1].encoding, vmcs::EptPointer); // the full field, not the alias
  EXPECT_EQ(events[1].newValue, 0x1'0000'0000ull);
}

TEST(VmInstructionErrorsReference, TableMatchesReference) {
  if (!std::filesystem::is_directory(test::sharedDir()))
    GTEST_SKIP() << "shared reference directory absent";
  std::ifstream in(test::sharedDir() / "reference" / "vmx_constants.json");
  ASSERT_TRUE(in);
  auto doc = nlohmann::json::parse(in);
  const auto &ref =
      doc.at("constants").at("VM_INSTRUCTION_ERROR values (enum vm_instruction_error_number)");
  size_t n = 0;
  for (const auto &[name, number] : ref.items()) {
    ++n;
    EXPECT_EQ("VMXERR_" + std::string(vmInstructionErrorName(number.get<uint32_t>())), name);
  }
  EXPECT_EQ(n, vmInstructionErrors().size());
  EXPECT_EQ(vmInstructionErrorName(14), "UNKNOWN");
}

} // namespace
} // namespace ringside
