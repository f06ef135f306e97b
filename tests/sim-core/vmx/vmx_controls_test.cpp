// The control-bit table against the reference, the override syntax and the capability MSRs.
#include "vmx/vmx_controls.h"

#include "test_paths.h"
#include "vmx/vmcs.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>

namespace ringside {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

TEST(VmxControlsReference, TableMatchesReferenceBothWays) {
  if (!std::filesystem::is_directory(test::sharedDir()))
    GTEST_SKIP() << "shared reference directory absent";
  auto ref = test::sharedDir() / "reference";
  std::map<std::string, std::pair<uint32_t, unsigned>> expected;
  const std::map<std::string, std::pair<std::string, uint32_t>> prefixes = {
      {"PIN_BASED_", {"pin_based.", vmcs::PinBasedControls}},
      {"CPU_BASED_", {"cpu_based.", vmcs::CpuBasedControls}},
      {"SECONDARY_EXEC_", {"secondary_exec.", vmcs::SecondaryControls}},
      {"TERTIARY_EXEC_", {"tertiary_exec.", vmcs::TertiaryControls}}};
  std::ifstream execIn(ref / "vmx_exec_controls.json");
  ASSERT_TRUE(execIn);
  auto execDoc = nlohmann::json::parse(execIn); // keep alive: the loop iterates into it
  for (const auto &[name, c] : execDoc.at("controls").items()) {
    bool matched = false;
    for (const auto &[prefix, target] : prefixes)
      if (name.rfind(prefix, 0) == 0) {
        expected[target.first + lower(name.substr(prefix.size()))] = {target.second,
                                                                      c.at("bit").get<unsigned>()};
        matched = true;
      }
    EXPECT_TRUE(matched) << name;
  }
  std::ifstream constIn(ref / "vmx_constants.json");
  ASSERT_TRUE(constIn);
  auto constants = nlohmann::json::parse(constIn).at("constants");
  for (auto [group, prefix, field] :
       {std::tuple{"VM_EXIT_CONTROLS bits", "vm_exit.", vmcs::ExitControls},
        std::tuple{"VM_ENTRY_CONTROLS bits", "vm_entry.", vmcs::EntryControls}})
    for (const auto &[name, mask] : constants.at(group).items()) {
      auto m = std::stoul(mask.get<std::string>(), nullptr, 16);
      expected[prefix + lower(name)] = {field, unsigned(__builtin_ctzl(m))};
    }
  for (const auto &[name, fb] : expected) {
    const auto *bit = findControlBit(name);
    ASSERT_NE(bit, nullptr) << name;
    EXPECT_EQ(bit->field, fb.first) << name;
    EXPECT_EQ(bit->bit, fb.second) << name;
  }
  EXPECT_EQ(vmxControlBits().size(), expected.size());

  // default1 masks as the reference gives them.
  const auto &d1 = constants.at("default1 (always-on) masks");
  for (auto [key, field] :
       {std::pair{"PIN_BASED_ALWAYSON_WITHOUT_TRUE_MSR", vmcs::PinBasedControls},
        std::pair{"CPU_BASED_ALWAYSON_WITHOUT_TRUE_MSR", vmcs::CpuBasedControls},
        std::pair{"VM_EXIT_ALWAYSON_WITHOUT_TRUE_MSR", vmcs::ExitControls},
        std::pair{"VM_ENTRY_ALWAYSON_WITHOUT_TRUE_MSR", vmcs::EntryControls}}) {
    const auto *cap = findControlCapability(field);
    ASSERT_NE(cap, nullptr) << key;
    EXPECT_EQ(cap->default1, std::stoul(d1.at(key).get<std::string>(), nullptr, 16)) << key;
  }
}

TEST(VmxControls, CapabilitiesAreConsistentWithTheTable) {
  for (const auto &cap : controlCapabilities()) {
    EXPECT_EQ(cap.mustBeOne & ~cap.default1, 0u) << cap.msrName; // TRUE MSRs only relax
    EXPECT_EQ(cap.mustBeOne & ~cap.mayBeOne, 0u) << cap.msrName;
    uint32_t bits = cap.default1;
    for (const auto &b : vmxControlBits())
      if (b.field == cap.field)
        bits |= uint32_t(b.mask());
    EXPECT_EQ(bits, cap.mayBeOne) << cap.msrName;
  }
  // CR3 load/store exiting may be 0 with the TRUE MSR: that is what EPT needs.
  EXPECT_TRUE(controlsValid(vmcs::CpuBasedControls, 0x04006172));
  EXPECT_FALSE(controlsValid(vmcs::CpuBasedControls, 0));               // default1 bits missing
  EXPECT_FALSE(controlsValid(vmcs::CpuBasedControls, 0x04006172 | 1u)); // bit 0 reserved
  EXPECT_EQ(adjustControls(vmcs::PinBasedControls, 1), 0x17u);
  EXPECT_EQ(findControlCapability(vmcs::CpuBasedControls)->msrValue(), 0xfffbfffe04006172ull);
}

TEST(VmxControls, OverridesParseAndPrint) {
  std::string error;
  auto o = parseControlOverride("cpu_based.hlt_exiting=0", &error);
  ASSERT_TRUE(o) << error;
  EXPECT_EQ(o->bit->field, vmcs::CpuBasedControls);
  EXPECT_EQ(o->bit->bit, 7);
  EXPECT_FALSE(o->value);
  EXPECT_EQ(formatControlOverride(*o), "cpu_based.hlt_exiting=0");
  auto on = parseControlOverride("secondary_exec.enable_ept=on");
  ASSERT_TRUE(on);
  EXPECT_TRUE(on->value);
  EXPECT_FALSE(parseControlOverride("cpu_based.hlt_exiting", &error));
  EXPECT_NE(error.find("NAME=0|1"), std::string::npos);
  EXPECT_FALSE(parseControlOverride("cpu_based.nope=1", &error));
  EXPECT_NE(error.find("unknown"), std::string::npos);
  EXPECT_FALSE(parseControlOverride("cpu_based.hlt_exiting=2", &error));
}

TEST(VmxControls, SecondaryBitsNeedActivation) {
  Vmcs v;
  v.vmwrite(vmcs::SecondaryControls, 1u << 1); // EPT
  EXPECT_FALSE(controlOn(v, "secondary_exec.enable_ept"));
  applyControlOverride(v, *parseControlOverride("cpu_based.activate_secondary_controls=1"));
  EXPECT_TRUE(controlOn(v, "secondary_exec.enable_ept"));
  applyControlOverride(v, *parseControlOverride("cpu_based.activate_secondary_controls=0"));
  EXPECT_FALSE(controlOn(v, "secondary_exec.enable_ept"));
  EXPECT_FALSE(controlOn(v, "no.such"));
}

} // namespace
} // namespace ringside
