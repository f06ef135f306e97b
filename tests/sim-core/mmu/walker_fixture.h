#pragma once
// Shared helpers for the page walker suites: entry/register bits spelled out, access presets,
// a step checker and a fixture holding paging state plus a fake memory.
#include "mmu/page_walker.h"
#include "sim-core/mmu/fake_memory.h"

#include <gtest/gtest.h>

#include <string>

namespace ringside::test {

constexpr uint64_t P = 1, W = 2, U = 4, A = 0x20, D = 0x40, PS = 0x80, XD = 1ull << 63;
constexpr uint64_t kPg = 1ull << 31, kWp = 1ull << 16;
constexpr uint64_t kPse = 1u << 4, kPae = 1u << 5;
constexpr uint64_t kLme = 1u << 8, kLma = 1u << 10, kNxe = 1u << 11;

constexpr Access kRead{}, kWrite{true, false, false}, kUserRead{false, true, false},
    kUserWrite{true, true, false}, kFetch{false, false, true}, kUserFetch{false, true, true};

inline void expectStep(const WalkEvent &event, unsigned i, uint8_t level, uint64_t table,
                       uint16_t index, uint64_t entry) {
  SCOPED_TRACE("step " + std::to_string(i));
  ASSERT_LT(i, event.stepCount);
  EXPECT_EQ(event.steps[i].level, level);
  EXPECT_EQ(event.steps[i].tableAddr, table);
  EXPECT_EQ(event.steps[i].index, index);
  EXPECT_EQ(event.steps[i].entry, entry);
}

class WalkerTest : public ::testing::Test {
protected:
  Translation walk(uint64_t va, Access access = kRead, bool ad = true) {
    return translate(state_, mem_, va, access, ad);
  }
  PagingState state_;
  FakeMemory mem_;
};

} // namespace ringside::test
