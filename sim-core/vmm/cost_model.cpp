#include "vmm/cost_model.h"

#include "arch/exit_reasons.h"

#include <string_view>

namespace ringside {
namespace {

using C = std::array<std::optional<double>, kTechniqueCount>; // native, trap, bt, pv, vtx
constexpr std::nullopt_t na = std::nullopt;
// A VM entry (2409) plus a VM exit (1931): Table 1's Pentium 4 figures.
constexpr double kRoundTrip = 2409 + 1931;

// The paper measured no trap-and-emulate VMM (x86 had none); its column is derived: a trap is
// priced as the native `divzero` fault round trip, and faults take the software VMM's path.
const std::array<CostRow, kCostOpCount> kCosts = {{
    {CostOp::Instruction, "instruction", C{1, 1, 1, 1, 1},
     "assumed 1 cycle each under every technique (not from the paper)"},
    {CostOp::PortIo, "in/out", C{3209, 3209, 214, 15826, 15826},
     "`in` nanobenchmark: native 3209, VT-x 15826, BT \"fifteen times faster than native\"; "
     "trap: native plus its trap"},
    {CostOp::PageFault, "page fault", C{1093, 3927, 3927, 11242, 11242},
     "`pgfault` nanobenchmark (VT-x without EPT: shadow paging); trap: the software VMM's"},
    {CostOp::OtherException, "exception", C{889, 3223, 3223, 1014, 1014},
     "`divzero` nanobenchmark; trap: the software VMM's"},
    {CostOp::VmExit, "other VM exit", C{na, na, na, kRoundTrip, kRoundTrip},
     "Table 1: VM entry 2409 + page-fault VM exit 1931 cycles"},
    {CostOp::Hypercall, "hypercall", C{na, na, na, kRoundTrip, kRoundTrip},
     "one VMCALL exit and entry: the same round trip"},
    {CostOp::Trap, "trap", C{na, 889, na, na, na},
     "assumed: a fault into ring 0 and back, the native `divzero` figure (not measured)"},
    {CostOp::Callout, "BT callout", C{na, na, 214, na, na},
     "derived: `in` under BT (an emulated privileged instruction) ≈ 214"},
    {CostOp::Translation, "translated insn", C{na, na, 2300, na, na},
     "≈2300 cycles per translated instruction (papers.md §1.2, secondary source)"},
    {CostOp::Syscall, "syscall", C{0, 2000, 2000, 0, 0},
     "`syscall` nanobenchmark, on top of the instructions: BT \"approximately 2000 more cycles "
     "than a native system call\", VT-x \"at native speed\"; trap: assumed as BT (the software "
     "VMM reflects each one into the deprivileged kernel)"},
    {CostOp::CallRet, "call/ret", C{na, na, 40, na, na},
     "`call/ret` nanobenchmark: native 11, BT 51, \"average penalty of 40 cycles\" per call/ret "
     "executed in translated code; VT-x and native pay only the instructions"},
    {CostOp::PteMod, "ptemod", C{1, 391, 391, 12733, 12733},
     "`ptemod` nanobenchmark (shadow paging, trace-based coherency): native a single-cycle "
     "store, BT 391, VT-x 12733; trap: assumed as BT (the same write-protected tables)"},
    {CostOp::PteStore, "ptemod (EPT)", C{1, 1, 1, 1, 1},
     "assumed: under EPT nothing write-protects the guest's tables, a plain store"},
    {CostOp::PageFaultEpt, "page fault (EPT)", C{1093, 3927, 3927, 1093, 1093},
     "assumed: under EPT a guest page fault does not exit (native's `pgfault`, 1093); trap and "
     "BT keep their software MMU's 3927"},
}};

constexpr std::array<NanobenchOp, 6> kNanobench = {{
    {"in", {CostOp::PortIo, CostOp::PortIo}},
    {"syscall", {CostOp::Syscall, CostOp::Syscall}},
    {"call/ret", {CostOp::CallRet, CostOp::CallRet}},
    {"pgfault", {CostOp::PageFault, CostOp::PageFaultEpt}},
    {"divzero", {CostOp::OtherException, CostOp::OtherException}},
    {"ptemod", {CostOp::PteMod, CostOp::PteStore}},
}};

bool ioInstruction(std::string_view insn) {
  return insn.starts_with("in") || insn.starts_with("out") || insn.starts_with("rep");
}

} // namespace

std::span<const CostRow> costTable() { return kCosts; }
std::span<const NanobenchOp> nanobenchOps() { return kNanobench; }

CostCounts costCounts(std::span<const Event> events, uint64_t instructions) {
  CostCounts c;
  c[CostOp::Instruction] = instructions;
  bool ept = false;
  uint64_t pteChanges = 0, pageFaults = 0;
  bool softwareInt = false; // the last exception was INT n: a ring 3 → kernel change is a syscall
  for (const auto &e : events) {
    if (const auto *x = std::get_if<ExceptionEvent>(&e.body))
      softwareInt = x->software;
    if (std::holds_alternative<IoEvent>(e.body)) {
      ++c[CostOp::PortIo];
    } else if (const auto *x = std::get_if<ExceptionEvent>(&e.body); x && !x->software) {
      ++(x->vector == 14 ? pageFaults : c[CostOp::OtherException]);
    } else if (const auto *ring = std::get_if<RingEvent>(&e.body)) {
      if (ring->cause == RingCause::Interrupt && ring->from == 3 && ring->to < 3 && softwareInt)
        ++c[CostOp::Syscall];
    } else if (const auto *w = std::get_if<WalkEvent>(&e.body)) {
      ept = ept || w->purpose == WalkPurpose::Ept;
    } else if (const auto *tlb = std::get_if<TlbEvent>(&e.body)) {
      pteChanges += tlb->pteChanged;
    } else if (const auto *trap = std::get_if<TrapEvent>(&e.body)) {
      // BT's I/O callouts are priced with `in` (214 is the whole emulated instruction).
      if (trap->via != "callout")
        ++c[CostOp::Trap];
      else if (!ioInstruction(trap->insn))
        ++c[CostOp::Callout];
    } else if (const auto *tr = std::get_if<TranslateEvent>(&e.body)) {
      if (!tr->hit)
        c[CostOp::Translation] += tr->insns;
      c[CostOp::CallRet] += tr->ret;
    } else if (std::holds_alternative<HypercallEvent>(e.body)) {
      ++c[CostOp::Hypercall];
    } else if (const auto *exit = std::get_if<ExitEvent>(&e.body)) {
      // I/O, exception and VMCALL exits are priced with their operation above.
      bool priced = exit->reason == exit_reason::IoInstruction ||
                    exit->reason == exit_reason::ExceptionNmi ||
                    exit->reason == exit_reason::Vmcall;
      if (!priced && exit->source != EventSource::KernelTrace && !exit->nested)
        ++c[CostOp::VmExit];
    }
  }
  c[ept ? CostOp::PteStore : CostOp::PteMod] = pteChanges;
  c[ept ? CostOp::PageFaultEpt : CostOp::PageFault] = pageFaults;
  return c;
}

OpTotal opTotal(const NanobenchOp &op, const CostCounts &counts, const CostEstimate &cost) {
  OpTotal t;
  for (size_t i = 0; i < op.ops.size(); ++i) {
    if (i > 0 && op.ops[i] == op.ops[i - 1])
      continue; // listed once
    t.count += counts[op.ops[i]];
    t.cycles += cost.parts[size_t(op.ops[i])];
  }
  return t;
}

CostEstimate estimateCost(const CostCounts &counts, Technique technique) {
  CostEstimate e;
  for (const auto &row : kCosts) {
    auto cycles = row.cycles[size_t(technique)];
    double part = cycles ? *cycles * double(counts[row.op]) : 0.0;
    e.parts[size_t(row.op)] = part;
    e.cycles += part;
  }
  return e;
}

} // namespace ringside
