#include "backend/backend.h"

#include <array>

namespace ringside {

const char *gprName(unsigned index) {
  static constexpr std::array<const char *, 16> kNames = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp",
                                                          "rsi", "rdi", "r8",  "r9",  "r10", "r11",
                                                          "r12", "r13", "r14", "r15"};
  return index < kNames.size() ? kNames[index] : "?";
}

} // namespace ringside
