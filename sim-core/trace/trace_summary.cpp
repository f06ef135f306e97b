#include "trace/trace_summary.h"

#include "arch/exit_reasons.h"

namespace ringside {

void TraceSummarizer::operator()(const Event &event) {
  ++kinds_[event.body.index()];
  if (const auto *exit = std::get_if<ExitEvent>(&event.body)) {
    // Kernel tracepoints see the same exits KVM_RUN reported (and the in-kernel ones): count
    // them apart so no exit is counted twice.
    ++(exit->nested                               ? nestedExits_
       : exit->source == EventSource::KernelTrace ? kernelExits_
                                                  : exits_)[exit->reason];
  } else if (const auto *vmx = std::get_if<VmxInsnEvent>(&event.body)) {
    ++vmxInstructions_[vmx->insn + " " + vmx->status];
  } else if (const auto *box = std::get_if<ContainerEvent>(&event.body)) {
    ++container_[box->what + " " + box->name];
  } else if (const auto *ex = std::get_if<ExceptionEvent>(&event.body)) {
    ++exceptions_[ex->vector];
  } else if (const auto *ring = std::get_if<RingEvent>(&event.body)) {
    ringChanges_ += ring->from != ring->to;
  } else if (const auto *walk = std::get_if<WalkEvent>(&event.body)) {
    ++walks_;
    walkRefs_ += walk->memoryRefs;
  } else if (const auto *trap = std::get_if<TrapEvent>(&event.body)) {
    ++traps_[trap->insn.substr(0, trap->insn.find(' '))];
    ++(trap->via == "callout" ? calloutCount_ : trapCount_);
  } else if (const auto *leak = std::get_if<LeakEvent>(&event.body)) {
    ++leaks_[leak->insn.substr(0, leak->insn.find(' '))];
    ++leakCount_;
  } else if (const auto *tr = std::get_if<TranslateEvent>(&event.body)) {
    ++(tr->hit ? tcHits_ : tcMisses_);
  } else if (const auto *tlb = std::get_if<TlbEvent>(&event.body)) {
    switch (tlb->op) {
    case TlbOp::Hit:
      ++tlbHits_;
      break;
    case TlbOp::Miss:
      ++tlbMisses_;
      break;
    case TlbOp::Fill:
      ++tlbFills_;
      break;
    default:
      ++tlbFlushes_;
    }
  }
}

const TraceSummary &TraceSummarizer::summary() const {
  summary_ = TraceSummary{};
  for (size_t i = 0; i < kinds_.size(); ++i)
    if (kinds_[i]) {
      EventBody sample;
      // The kind's name comes from a default-constructed body of that alternative.
      [&]<size_t... I>(std::index_sequence<I...>) {
        ((I == i ? (sample = std::variant_alternative_t<I, EventBody>{}, 0) : 0), ...);
      }
      (std::make_index_sequence<std::variant_size_v<EventBody>>{});
      summary_.kinds[eventKindName(sample)] = kinds_[i];
    }
  for (size_t r = 0; r < exits_.size(); ++r) {
    if (exits_[r])
      summary_.exits[std::string(exitReasonName(static_cast<uint16_t>(r)))] = exits_[r];
    if (kernelExits_[r])
      summary_.kernelTraceExits[std::string(exitReasonName(static_cast<uint16_t>(r)))] =
          kernelExits_[r];
    if (nestedExits_[r])
      summary_.nestedExits[std::string(exitReasonName(static_cast<uint16_t>(r)))] = nestedExits_[r];
  }
  summary_.vmxInstructions = vmxInstructions_;
  summary_.container = container_;
  for (size_t v = 0; v < exceptions_.size(); ++v)
    if (exceptions_[v])
      summary_.exceptions[static_cast<unsigned>(v)] = exceptions_[v];
  summary_.ringChanges = ringChanges_;
  summary_.walks = walks_;
  summary_.walkRefs = walkRefs_;
  summary_.tlbHits = tlbHits_;
  summary_.tlbMisses = tlbMisses_;
  summary_.tlbFills = tlbFills_;
  summary_.tlbFlushes = tlbFlushes_;
  summary_.traps = traps_;
  summary_.trapCount = trapCount_;
  summary_.calloutCount = calloutCount_;
  summary_.leaks = leaks_;
  summary_.leakCount = leakCount_;
  summary_.tcHits = tcHits_;
  summary_.tcMisses = tcMisses_;
  return summary_;
}

TraceSummary summarize(const std::vector<Event> &events) {
  TraceSummarizer s;
  for (const auto &e : events)
    s(e);
  return s.summary();
}

} // namespace ringside
