#pragma once
// Compares two runs of one guest field by field. Each difference says what differs, both
// values and, in one line, what it means.
#include "diff/run_record.h"

#include <string>
#include <vector>

namespace ringside::diff {

struct Difference {
  std::string field; ///< "console", "stop.kind", "rax", "cr0", "io[3]", "ram", …
  std::string a;     ///< the first backend's value
  std::string b;     ///< the second backend's value
  std::string explanation;
};

/// Every difference between two records, in a fixed order: stop, console, registers, I/O,
/// MMIO, RAM. Masked bits (diff_masks.h) are left out; RAM is compared only when both
/// records have a digest.
std::vector<Difference> compareRecords(const RunRecord &a, const RunRecord &b);

std::string describe(const IoAccess &access);
std::string describe(const MmioAccess &access);

} // namespace ringside::diff
