#include "arch/exception_vectors.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

TEST(ExceptionVectors, SortedUniqueAndFindable) {
  auto table = exceptionVectors();
  ASSERT_EQ(table.size(), 20u);
  for (size_t i = 1; i < table.size(); ++i)
    EXPECT_LT(table[i - 1].vector, table[i].vector);
  for (const auto &v : table) {
    ASSERT_EQ(findExceptionVector(v.vector), &v);
    EXPECT_FALSE(v.description.empty());
  }
}

TEST(ExceptionVectors, Mnemonics) {
  EXPECT_EQ(exceptionName(0), "#DE");
  EXPECT_EQ(exceptionName(2), "NMI");
  EXPECT_EQ(exceptionName(13), "#GP");
  EXPECT_EQ(exceptionName(14), "#PF");
  EXPECT_EQ(exceptionName(21), "#CP");
  EXPECT_EQ(exceptionName(9), "reserved");
  EXPECT_EQ(exceptionName(15), "reserved");
  EXPECT_EQ(exceptionName(32), "INTR");
  EXPECT_EQ(findExceptionVector(22), nullptr);
}

} // namespace
} // namespace ringside
