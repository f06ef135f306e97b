#pragma once
// Parsers for ftrace text (tracefs `trace` / `trace_pipe`) lines of the KVM tracepoints that carry
// what the kernel saw: kvm:kvm_exit (real hardware exit reasons, VMX hosts) and the kvmmmu guest
// page-walk events (shadow-paging hosts such as PVM). Pure functions: no I/O, never throw, and
// any malformed or unknown line yields nothing, because the input is whatever the kernel printed.
#include "trace/events.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ringside::kvm {

/// The fixed part of one ftrace line: `task-pid [cpu] flags timestamp: event: payload`.
struct TraceLine {
  std::string_view task;
  int32_t pid = 0;
  uint32_t cpu = 0;
  uint64_t timestampNs = 0;
  std::string_view event;   ///< tracepoint name without its system, e.g. "kvm_exit"
  std::string_view payload; ///< the TP_printk text
};

/// Splits one line; nothing for comments, blank lines and anything not in that shape.
std::optional<TraceLine> parseTraceLine(std::string_view line);

enum class ExitIsa : uint8_t { Vmx, Svm };

/// One kvm:kvm_exit record. On SVM hosts the reason is an SVM exit code, which has no place in
/// the VMX exit-reason table: such records are recognised (isa == Svm, svmReason set) but `exit`
/// is left empty rather than filled with a wrong VMX reason.
struct KvmExitRecord {
  ExitIsa isa = ExitIsa::Vmx;
  ExitEvent exit;           ///< reason, qualification = info1, rip; source KernelTrace (VMX only)
  std::string svmReason;    ///< the reason text as printed, for SVM records
  bool failedEntry = false; ///< VMX "FAILED_VMENTRY" (bit 31 of the exit reason)
  uint32_t vcpu = 0;
  uint64_t info2 = 0;
  uint32_t intrInfo = 0;  ///< only in the Linux >= 5.11 format
  uint32_t errorCode = 0; ///< only in the Linux >= 5.11 format
};

/// Parses the payload of a kvm_exit line (every format from "reason %s rip 0x%lx info %llx %llx"
/// to the 6.x "vcpu %u reason %s%s%s rip … requests 0x%016llx").
std::optional<KvmExitRecord> parseKvmExitPayload(std::string_view payload);

/// Assembles kvm_mmu_pagetable_walk + kvm_mmu_paging_element… (+ kvm_mmu_walker_error) lines into
/// WalkEvents. Lines of different tasks may interleave (one vCPU thread each), so a walk is open
/// per pid; it ends at its walker error, at the next non-element line of the same pid, or at
/// finish().
class WalkAssembler {
public:
  struct Done {
    int32_t pid = 0;
    uint64_t timestampNs = 0; ///< of the kvm_mmu_pagetable_walk line
    WalkEvent walk;
  };

  /// Feeds one parsed line; returns the walks it completed (usually none or one).
  std::vector<Done> feed(const TraceLine &line);
  /// Completes every open walk (end of the buffer).
  std::vector<Done> finish();

private:
  struct Open {
    uint64_t timestampNs = 0;
    WalkEvent walk;
    bool broken = false; ///< an element that does not fit (too many, bad level): drop the walk
  };
  std::optional<Done> close(int32_t pid, std::optional<uint32_t> walkerError);
  std::map<int32_t, Open> open_;
};

/// One event recovered from the kernel trace, with where and when the kernel recorded it.
struct KernelTraceEvent {
  int32_t pid = 0;
  uint64_t timestampNs = 0;
  std::variant<ExitEvent, WalkEvent> body;
};

/// What a whole buffer held: the events, and how many lines of each tracepoint appeared (which
/// is how a host shows what it can and cannot observe).
struct KernelTraceParse {
  std::vector<KernelTraceEvent> events;
  std::map<std::string, uint64_t, std::less<>> linesPerEvent;
  uint64_t unsupportedExits = 0; ///< kvm_exit records from SVM hosts
  uint64_t malformedLines = 0;   ///< kvm_exit lines that did not parse
};

/// Parses a whole buffer (lines in order), ordered by the kernel's line order.
KernelTraceParse parseKernelTrace(const std::vector<std::string> &lines);

} // namespace ringside::kvm
