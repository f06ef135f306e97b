// The libFuzzer entry point; RINGSIDE_FUZZ_TARGET (set per executable by CMakeLists.txt) picks
// the harness, so each target is this one file compiled once.
#include "fuzz_targets.h"

#include <cstring>

namespace {

int (*const kRun)(const uint8_t *, size_t) = [] {
  for (const auto &target : ringside::fuzz::kTargets)
    if (std::strcmp(target.name, RINGSIDE_FUZZ_TARGET) == 0)
      return target.run;
  return static_cast<int (*)(const uint8_t *, size_t)>(nullptr);
}();

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) { return kRun(data, size); }
