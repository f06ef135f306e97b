#pragma once
// Register inputs of a test case: a few instructions placed before the guest's entry point
// that load the registers and jump to it, in the entry mode's own encoding. The backends keep
// their one entry state (docs/platform.md); the stub's instructions are counted like the
// guest's (2–17 more per case).
#include "guest/image.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace ringside::grading {

/// Machine code for `mov REG, VALUE` … then a jump to `entry`, to be placed at `at`.
/// Throws InputError for a register the mode cannot load (r8–r15 outside long mode, a value
/// wider than the register).
std::vector<uint8_t> entryStub(EntryMode mode, uint64_t at, uint64_t entry,
                               const std::vector<std::pair<std::string, uint64_t>> &regs);

} // namespace ringside::grading
