#pragma once
// One guest under several techniques, one row each: what `ringside compare` prints and the
// desktop app's Compare view draws. Each run is on the emu backend (the techniques are modelled
// there); the costs are the cost model's (vmm/cost_model.h: 2006 Pentium 4 figures).
#include "backend/backend.h"
#include "guest/image_loader.h"
#include "trace/trace_summary.h"
#include "vmm/cost_model.h"

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ringside {

struct TechniqueRun {
  Technique technique;
  RunResult result;
  TraceSummary summary;
  CostCounts counts;
  CostEstimate cost;
  /// The memory model's counters under --mmu shadow|ept (e.g. "emulated_writes"); empty
  /// under --mmu native. Not priced: what the shadow pager did, next to the priced counts.
  std::map<std::string, uint64_t> mmu;

  uint64_t exitCount() const;
  uint64_t faults() const {
    return counts[CostOp::PageFault] + counts[CostOp::PageFaultEpt] +
           counts[CostOp::OtherException];
  }
};

struct CompareRequest {
  std::vector<std::string> virt; ///< --virt names; empty: every built technique
  std::string vmxProfile;
  uint64_t maxInstructions = 100'000'000;
  double timeoutSeconds = 10.0;
  std::string mmu = "native"; ///< --mmu for every run
};

/// The --virt names of every technique built today, in table order.
std::vector<std::string> builtTechniqueNames();

/// Runs `image` under each technique of `request`, in order. `running` (optional) is told the
/// backend of each run before it starts and nullptr after, so another thread can stop it.
/// Throws InputError for an unknown or unbuilt technique (by name) and for guests that fail
/// to load.
std::vector<TechniqueRun> compareTechniques(const GuestImage &image, const CompareRequest &request,
                                            const std::function<void(Backend *)> &running = {});

} // namespace ringside
