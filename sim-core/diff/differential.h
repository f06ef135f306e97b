#pragma once
// Runs one guest image on two backends with the same configuration and compares the runs.
#include "backend/backend.h"
#include "diff/compare.h"
#include "diff/run_record.h"

#include <array>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ringside::diff {

/// Makes a backend by name. Callers pass ringside::createBackend; tests may pass fakes.
using BackendFactory = std::function<std::unique_ptr<Backend>(const std::string &name)>;

struct DiffReport {
  std::array<RunRecord, 2> runs;
  std::vector<Difference> differences;
  std::vector<std::string> notes; ///< what was not compared, and why
  bool same() const { return differences.empty(); }
};

/// Creates and loads both backends first (an InputError from either, e.g. a backend this host
/// cannot run, comes before any guest runs), then runs them one after the other.
DiffReport runDifferential(const GuestImage &image, const RunConfig &config,
                           const std::string &backendA, const std::string &backendB,
                           const BackendFactory &factory);

} // namespace ringside::diff
