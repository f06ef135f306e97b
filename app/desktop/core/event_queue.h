#pragma once
// A bounded queue between the backend's worker thread (producer) and the UI (consumer). The
// producer blocks while the queue is full, which slows a flooding guest to the speed the UI can
// record; the UI only ever takes what is there and never waits.
#include "trace/events.h"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

namespace ringside::desktop {

class EventQueue {
public:
  explicit EventQueue(std::size_t capacity) : capacity_(capacity) {}

  /// Waits while full. Returns false (and drops the event) once the queue is closed.
  bool push(const Event &event) {
    std::unique_lock lock(mutex_);
    notFull_.wait(lock, [&] { return closed_ || events_.size() < capacity_; });
    if (closed_)
      return false;
    events_.push_back(event);
    return true;
  }

  /// Moves up to `max` events into `out` without waiting; returns how many.
  std::size_t popSome(std::vector<Event> &out, std::size_t max) {
    std::size_t taken = 0;
    {
      std::lock_guard lock(mutex_);
      while (taken < max && !events_.empty()) {
        out.push_back(std::move(events_.front()));
        events_.pop_front();
        ++taken;
      }
    }
    if (taken)
      notFull_.notify_all();
    return taken;
  }

  /// Releases a blocked producer for good: later pushes are dropped.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    notFull_.notify_all();
  }

  std::size_t size() const {
    std::lock_guard lock(mutex_);
    return events_.size();
  }
  std::size_t capacity() const { return capacity_; }

private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable notFull_;
  std::deque<Event> events_;
  bool closed_ = false;
};

} // namespace ringside::desktop
