#pragma once
// "0x1f": how addresses and register values appear in messages and summaries.
#include <cstdint>
#include <cstdio>
#include <string>

namespace ringside {

inline std::string hex(uint64_t value) {
  char text[24];
  std::snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
  return text;
}

} // namespace ringside
