#pragma once
// Runs a loaded backend on its own thread. Events leave the backend through a listener into a
// bounded queue the UI drains; the UI never waits on the guest, and stop() works whatever the
// guest is doing (Backend::requestStop, plus closing the queue if the producer is blocked).
#include "backend/backend.h"
#include "core/event_queue.h"

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

namespace ringside::desktop {

class RunWorker {
public:
  /// Takes a backend whose load() has succeeded.
  RunWorker(std::unique_ptr<Backend> backend, std::size_t queueCapacity);
  ~RunWorker();
  RunWorker(const RunWorker &) = delete;
  RunWorker &operator=(const RunWorker &) = delete;

  void start();
  /// Asks the guest to stop; events already queued can still be drained.
  void stop();
  /// Stops and drops whatever the producer still tries to queue (the store is full).
  void abandon();

  std::size_t drain(std::vector<Event> &out, std::size_t max) { return queue_.popSome(out, max); }
  /// The backend thread has returned (events may still be queued).
  bool threadDone() const { return done_.load(); }
  std::size_t queued() const { return queue_.size(); }
  const std::string &error() const { return error_; } ///< valid once threadDone()
  const std::optional<RunResult> &result() const { return result_; }

private:
  std::unique_ptr<Backend> backend_;
  EventQueue queue_;
  std::thread thread_;
  std::atomic<bool> done_{false};
  std::string error_;
  std::optional<RunResult> result_;
};

} // namespace ringside::desktop
