#pragma once
// An estimated cycle cost for a run under each technique: counts taken from the trace, priced
// with the nanobenchmark figures of Adams & Agesen, ASPLOS 2006 (a 3.8 GHz Pentium 4 with
// VT-x and no EPT; ../shared/notes/papers.md §1.1). A teaching model, labelled as 2006 P4
// figures wherever it is shown: it reproduces the paper's ordering, not today's hardware.
// docs/cost-model.md lists every constant and where it comes from.
#include "trace/events.h"
#include "vmm/technique.h"

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

namespace ringside {

enum class CostOp : uint8_t {
  Instruction,    ///< any retired instruction: 1 cycle (an assumption, not the paper's)
  PortIo,         ///< an IN/OUT/INS/OUTS (`in`)
  PageFault,      ///< a page fault the guest sees (`pgfault`)
  OtherException, ///< another hardware exception (`divzero`)
  VmExit,         ///< any other VM exit: a VM entry + exit round trip (Table 1)
  Hypercall,      ///< a hypercall: one VMCALL round trip here
  Trap,           ///< trap-and-emulate: a #GP (or I/O) trap into the VMM and back
  Callout,        ///< binary translation: a rewritten instruction calls the VMM
  Translation,    ///< binary translation: one guest instruction translated (a TC miss)
};
inline constexpr size_t kCostOpCount = 9;
inline constexpr size_t kTechniqueCount = 5;

struct CostRow {
  CostOp op;
  std::string_view name;
  /// Cycles per operation, by Technique; nullopt where the technique has no such operation.
  std::array<std::optional<double>, kTechniqueCount> cycles;
  std::string_view source; ///< where the numbers come from
};
std::span<const CostRow> costTable();

struct CostCounts {
  std::array<uint64_t, kCostOpCount> n{}; ///< by CostOp
  uint64_t &operator[](CostOp op) { return n[size_t(op)]; }
  uint64_t operator[](CostOp op) const { return n[size_t(op)]; }
};

/// What a trace did, sorted into the cost model's operations.
CostCounts costCounts(std::span<const Event> events, uint64_t instructions);

struct CostEstimate {
  double cycles = 0;
  std::array<double, kCostOpCount> parts{}; ///< cycles by CostOp
};
CostEstimate estimateCost(const CostCounts &counts, Technique technique);

} // namespace ringside
