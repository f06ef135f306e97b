#include "trace/trace.h"

namespace ringside {

const Event &Trace::record(uint64_t instructions, EventBody body) {
  Event *event = &scratch_;
  if (keep_) {
    events_.push_back(Event{});
    event = &events_.back();
  }
  event->seq = nextSeq_++;
  event->instructions = instructions;
  event->body = std::move(body);
  for (auto &listener : listeners_)
    listener(*event);
  return *event;
}

void Trace::clear() {
  events_.clear();
  nextSeq_ = 0;
}

} // namespace ringside
