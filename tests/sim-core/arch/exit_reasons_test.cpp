// Checks the project's exit-reason table against the shared reference taken from Linux.
#include "arch/exit_reasons.h"

#include "test_paths.h"

#include <fstream>
#include <gtest/gtest.h>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

namespace ringside {
namespace {

class ExitReasonsReference : public ::testing::Test {
protected:
  void SetUp() override {
    auto path = test::sharedDir() / "reference" / "vmx_exit_reasons.json";
    if (!std::filesystem::is_directory(test::sharedDir()))
      GTEST_SKIP() << "shared reference directory absent: " << test::sharedDir();
    std::ifstream in(path);
    ASSERT_TRUE(in) << "cannot open " << path;
    auto doc = nlohmann::json::parse(in);
    for (const char *list : {"exit_reasons", "later"}) {
      ASSERT_TRUE(doc.contains(list)) << list;
      for (const auto &r : doc[list]) {
        auto number = r.at("number").get<uint16_t>();
        ASSERT_TRUE(reference_.emplace(number, r.at("name").get<std::string>()).second)
            << "duplicate in reference: " << number;
      }
    }
    ASSERT_GT(reference_.size(), 50u);
  }

  std::map<uint16_t, std::string> reference_;
};

TEST_F(ExitReasonsReference, EveryReferenceReasonIsInTheTable) {
  for (const auto &[number, name] : reference_) {
    const auto *info = findExitReason(number);
    ASSERT_NE(info, nullptr) << number << " " << name;
    EXPECT_EQ(info->name, name) << number;
  }
}

TEST_F(ExitReasonsReference, EveryTableEntryIsInTheReference) {
  for (const auto &info : exitReasons()) {
    auto it = reference_.find(info.number);
    ASSERT_NE(it, reference_.end()) << info.number << " " << info.name;
    EXPECT_EQ(it->second, info.name);
  }
  EXPECT_EQ(exitReasons().size(), reference_.size());
}

TEST(ExitReasons, SortedWithoutDuplicates) {
  auto table = exitReasons();
  ASSERT_FALSE(table.empty());
  for (size_t i = 1; i < table.size(); ++i)
    EXPECT_LT(table[i - 1].number, table[i].number) << table[i].name;
  for (size_t i = 0; i < table.size(); ++i) {
    EXPECT_FALSE(table[i].description.empty()) << table[i].name;
    for (size_t k = i + 1; k < table.size(); ++k)
      EXPECT_NE(table[i].name, table[k].name);
  }
}

TEST(ExitReasons, LookupsAgree) {
  for (const auto &info : exitReasons()) {
    EXPECT_EQ(findExitReason(info.number), &info);
    EXPECT_EQ(exitReasonByName(info.name), info.number);
    EXPECT_EQ(exitReasonName(info.number), info.name);
  }
  EXPECT_EQ(findExitReason(5), nullptr); // 5 is IO SMI: not a reason Linux names
  EXPECT_EQ(exitReasonName(5), "UNKNOWN");
  EXPECT_EQ(exitReasonByName("NO_SUCH_REASON"), std::nullopt);
  EXPECT_EQ(exitReasonName(exit_reason::IoInstruction), "IO_INSTRUCTION");
  EXPECT_EQ(exitReasonName(exit_reason::Hlt), "HLT");
}

} // namespace
} // namespace ringside
