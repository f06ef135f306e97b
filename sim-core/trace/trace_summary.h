#pragma once
// Counts over a trace: what the CLI's --json output, the human summary and the grader report.
#include "trace/events.h"

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ringside {

struct TraceSummary {
  std::map<std::string, uint64_t> kinds; ///< event kind → count
  std::map<std::string, uint64_t> exits; ///< exit-reason name → count (the backend's own)
  std::map<std::string, uint64_t> kernelTraceExits; ///< the same, seen by kernel tracepoints
  /// Exits of nested guests to guest-written hypervisors, by reason name.
  std::map<std::string, uint64_t> nestedExits;
  /// VMX instructions of guest-written hypervisors: "vmwrite VMsucceed" → count.
  std::map<std::string, uint64_t> vmxInstructions;
  std::map<unsigned, uint64_t> exceptions; ///< vector → count
  /// Container events: "syscall getpid", "limit fork" … → count.
  std::map<std::string, uint64_t> container;
  uint64_t ringChanges = 0;
  // Memory virtualization (walk and tlb events).
  uint64_t walks = 0, walkRefs = 0;
  uint64_t tlbHits = 0, tlbMisses = 0, tlbFills = 0, tlbFlushes = 0;
  // Trap-and-emulate and binary translation (trap, leak and translate events).
  std::map<std::string, uint64_t> traps;    ///< instruction mnemonic → VMM takeovers
  uint64_t trapCount = 0, calloutCount = 0; ///< #GP/I-O traps; BT callouts
  std::map<std::string, uint64_t> leaks;    ///< instruction mnemonic → leaks
  uint64_t leakCount = 0;
  uint64_t tcHits = 0, tcMisses = 0; ///< translation-cache lookups
};

TraceSummary summarize(const std::vector<Event> &events);

/// Accumulates the same counts while events stream by (when the trace does not keep them).
class TraceSummarizer {
public:
  void operator()(const Event &event);
  /// The counts so far (named maps are built here, not per event: a run can have millions).
  const TraceSummary &summary() const;

private:
  std::array<uint64_t, std::variant_size_v<EventBody>> kinds_{};
  // By basic exit reason (16 bits).
  std::array<uint64_t, 1u << 16> exits_{}, kernelExits_{}, nestedExits_{};
  std::map<std::string, uint64_t> vmxInstructions_; // rare: a map is cheap enough
  std::map<std::string, uint64_t> container_;       // as rare
  std::array<uint64_t, 256> exceptions_{};
  uint64_t ringChanges_ = 0;
  uint64_t walks_ = 0, walkRefs_ = 0, tlbHits_ = 0, tlbMisses_ = 0, tlbFills_ = 0, tlbFlushes_ = 0;
  std::map<std::string, uint64_t> traps_, leaks_; // per instruction: rare enough for a map
  uint64_t trapCount_ = 0, calloutCount_ = 0, leakCount_ = 0, tcHits_ = 0, tcMisses_ = 0;
  mutable TraceSummary summary_;
};

} // namespace ringside
