#include "core/run_worker.h"

#include <exception>

namespace ringside::desktop {

RunWorker::RunWorker(std::unique_ptr<Backend> backend, std::size_t queueCapacity)
    : backend_(std::move(backend)), queue_(queueCapacity) {
  backend_->trace().setKeepEvents(false); // the app's EventStore keeps them
  backend_->trace().addListener([this](const Event &event) { queue_.push(event); });
}

RunWorker::~RunWorker() {
  abandon();
  if (thread_.joinable())
    thread_.join();
}

void RunWorker::start() {
  thread_ = std::thread([this] {
    try {
      result_ = backend_->run();
    } catch (const std::exception &e) {
      error_ = e.what();
    }
    done_.store(true);
  });
}

void RunWorker::stop() { backend_->requestStop(); }

void RunWorker::abandon() {
  backend_->requestStop();
  queue_.close();
}

} // namespace ringside::desktop
