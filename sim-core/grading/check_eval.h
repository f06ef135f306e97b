#pragma once
// Scores one check against what a case's run left behind. Reads only the run's result, its
// events, console and the backend's RAM/VMCS accessors: it computes no architecture itself.
#include "backend/backend.h"
#include "grading/grade_result.h"
#include "grading/lab_spec.h"

#include <functional>
#include <span>
#include <string>

namespace ringside::grading {

/// Everything a check can look at after a run.
struct RunView {
  const RunResult &result;
  std::span<const Event> events;
  const std::string &console;
  /// Reads guest RAM (false when the range is not RAM).
  std::function<bool(uint64_t gpa, void *dst, size_t n)> readMemory;
  const Vmcs *vmcs = nullptr;   ///< the modelled VMCS, nullptr when the backend has none
  bool eventsTruncated = false; ///< the event budget cut the trace short
};

CheckResult evaluateCheck(const Check &check, const RunView &run);

/// A final register by name (isRegisterName); 32-bit names give the low half.
uint64_t registerValue(const GuestRegs &regs, const std::string &name);

} // namespace ringside::grading
