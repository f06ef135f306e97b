#pragma once
// The architectural exception vectors 0–31 (Intel SDM vol. 3A, table 6-1): mnemonic and one
// line for people. Read by the trace and views; delivery facts (error code, class) are in
// cpu/vector_classes.h.
#include <cstdint>
#include <span>
#include <string_view>

namespace ringside {

struct ExceptionVectorInfo {
  uint8_t vector;
  std::string_view mnemonic;    ///< e.g. "#GP"
  std::string_view description; ///< one line for people
};

/// Every defined exception vector, sorted by vector (reserved ones are left out).
std::span<const ExceptionVectorInfo> exceptionVectors();
const ExceptionVectorInfo *findExceptionVector(uint8_t vector);
/// The mnemonic; "INTR" for vectors 32–255 (interrupts), "reserved" for undefined vectors < 32.
std::string_view exceptionName(uint8_t vector);

namespace vector {
inline constexpr uint8_t DivideError = 0;
inline constexpr uint8_t Breakpoint = 3;
inline constexpr uint8_t InvalidOpcode = 6;
inline constexpr uint8_t DoubleFault = 8;
inline constexpr uint8_t GeneralProtection = 13;
inline constexpr uint8_t PageFault = 14;
} // namespace vector

} // namespace ringside
