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
  Syscall,        ///< a system call: ring 3 entered the kernel by INT n (`syscall`)
  CallRet,        ///< binary translation: a near RET run in translated kernel code (`call/ret`)
  PteMod,         ///< a live PTE rewritten (then INVLPG) under shadow paging (`ptemod`)
  PteStore,       ///< the same under EPT: a plain store
  PageFaultEpt,   ///< a page fault the guest sees, under EPT: no VM exit
};
inline constexpr size_t kCostOpCount = 14;
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

/// What a trace did, sorted into the cost model's operations. The model's premise is the
/// paper's hardware, without EPT: only a trace that shows EPT (`walk` events with purpose
/// `ept`) makes a `ptemod` a PteStore and a page fault a PageFaultEpt.
CostCounts costCounts(std::span<const Event> events, uint64_t instructions);

/// The operations of the paper's nanobenchmarks (`in`, `syscall`, `call/ret`, `pgfault`,
/// `divzero`, `ptemod`), in the order `ringside compare --by-op` prints them; `ptemod` counts
/// PteMod and PteStore together.
struct NanobenchOp {
  std::string_view name;
  std::array<CostOp, 2> ops; ///< the cost-model operations it adds up (the second may repeat)
};
std::span<const NanobenchOp> nanobenchOps();

struct CostEstimate;
struct OpTotal {
  uint64_t count = 0;
  double cycles = 0;
};
/// One nanobenchmark operation's count and estimated cycles in a run.
OpTotal opTotal(const NanobenchOp &op, const CostCounts &counts, const CostEstimate &cost);

struct CostEstimate {
  double cycles = 0;
  std::array<double, kCostOpCount> parts{}; ///< cycles by CostOp
};
CostEstimate estimateCost(const CostCounts &counts, Technique technique);

} // namespace ringside
