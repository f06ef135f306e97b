#include "arch/exception_vectors.h"

#include <algorithm>
#include <array>

namespace ringside {
namespace {

// Sorted by vector. Intel SDM vol. 3A, table 6-1 "Protected-Mode Exceptions and Interrupts".
constexpr std::array kVectors = {
    ExceptionVectorInfo{0, "#DE", "divide error (DIV or IDIV)"},
    ExceptionVectorInfo{1, "#DB", "debug exception"},
    ExceptionVectorInfo{2, "NMI", "non-maskable interrupt"},
    ExceptionVectorInfo{3, "#BP", "breakpoint (INT3)"},
    ExceptionVectorInfo{4, "#OF", "overflow (INTO)"},
    ExceptionVectorInfo{5, "#BR", "BOUND range exceeded"},
    ExceptionVectorInfo{6, "#UD", "invalid opcode"},
    ExceptionVectorInfo{7, "#NM", "device not available (no math coprocessor)"},
    ExceptionVectorInfo{8, "#DF", "double fault"},
    ExceptionVectorInfo{10, "#TS", "invalid TSS"},
    ExceptionVectorInfo{11, "#NP", "segment not present"},
    ExceptionVectorInfo{12, "#SS", "stack-segment fault"},
    ExceptionVectorInfo{13, "#GP", "general protection"},
    ExceptionVectorInfo{14, "#PF", "page fault"},
    ExceptionVectorInfo{16, "#MF", "x87 floating-point error"},
    ExceptionVectorInfo{17, "#AC", "alignment check"},
    ExceptionVectorInfo{18, "#MC", "machine check"},
    ExceptionVectorInfo{19, "#XM", "SIMD floating-point exception"},
    ExceptionVectorInfo{20, "#VE", "virtualization exception (EPT violation)"},
    ExceptionVectorInfo{21, "#CP", "control protection exception"},
};

} // namespace

std::span<const ExceptionVectorInfo> exceptionVectors() { return kVectors; }

const ExceptionVectorInfo *findExceptionVector(uint8_t vector) {
  auto it = std::lower_bound(kVectors.begin(), kVectors.end(), vector,
                             [](const ExceptionVectorInfo &e, uint8_t v) { return e.vector < v; });
  return it != kVectors.end() && it->vector == vector ? &*it : nullptr;
}

std::string_view exceptionName(uint8_t vector) {
  if (const auto *e = findExceptionVector(vector))
    return e->mnemonic;
  return vector >= 32 ? "INTR" : "reserved";
}

} // namespace ringside
