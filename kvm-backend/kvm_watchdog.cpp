#include "kvm_watchdog.h"

#include <chrono>
#include <csignal>
#include <mutex>

namespace ringside::kvm {
namespace {

// The vCPU thread's kvm_run, for the signal handler. Static TLS: safe to read in a handler.
thread_local kvm_run *tlsRun = nullptr;

int kickSignal() { return SIGRTMIN + 2; }

void onKick(int) {
  if (tlsRun)
    tlsRun->immediate_exit = 1;
}

void installHandler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_handler = onKick;
    sigemptyset(&sa.sa_mask);
    // KVM_RUN returns EINTR regardless; SA_RESTART keeps other syscalls on the vCPU thread
    // (trace file writes) from failing when a kick lands outside KVM_RUN.
    sa.sa_flags = SA_RESTART;
    sigaction(kickSignal(), &sa, nullptr);
  });
}

} // namespace

VcpuWatchdog::VcpuWatchdog() { installHandler(); }

VcpuWatchdog::~VcpuWatchdog() { stop(); }

void VcpuWatchdog::start(kvm_run *run, double timeoutSeconds) {
  stop();
  tlsRun = run;
  vcpuThread_ = pthread_self();
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, kickSignal());
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  timedOut_ = false;
  stopRequested_ = false;
  {
    std::lock_guard lock(mutex_);
    running_ = true;
  }
  thread_ = std::thread([this, timeoutSeconds] { loop(timeoutSeconds); });
}

void VcpuWatchdog::stop() {
  {
    std::lock_guard lock(mutex_);
    running_ = false;
  }
  wake_.notify_all();
  if (thread_.joinable())
    thread_.join();
  tlsRun = nullptr;
}

void VcpuWatchdog::requestStop() {
  stopRequested_ = true;
  wake_.notify_all();
}

void VcpuWatchdog::kickAt(std::chrono::steady_clock::time_point when) {
  {
    std::lock_guard lock(mutex_);
    kickAt_ = when;
  }
  wake_.notify_all();
}

void VcpuWatchdog::cancelKick() {
  std::lock_guard lock(mutex_);
  kickAt_.reset();
}

void VcpuWatchdog::loop(double timeoutSeconds) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(timeoutSeconds));
  std::unique_lock lock(mutex_);
  while (running_) {
    auto now = Clock::now();
    if (timeoutSeconds > 0 && now >= deadline)
      timedOut_ = true;
    bool kicking = shouldStop();
    // The flag is set before the signal, so the run loop either sees the flag or gets EINTR.
    // Keep kicking until the loop has noticed and stopped us.
    if (kicking)
      pthread_kill(vcpuThread_, kickSignal());
    if (!kicking && kickAt_ && now >= *kickAt_) {
      kickAt_.reset(); // a timer interrupt is due: one kick, the run goes on
      pthread_kill(vcpuThread_, kickSignal());
    }
    auto wake = kicking              ? now + std::chrono::milliseconds(5)
                : timeoutSeconds > 0 ? std::min(deadline, now + std::chrono::milliseconds(50))
                                     : now + std::chrono::milliseconds(50);
    if (kickAt_)
      wake = std::min(wake, *kickAt_);
    auto kickSet = kickAt_;
    wake_.wait_until(lock, wake, [this, kicking, kickSet] {
      return !running_ || (!kicking && stopRequested_) || kickAt_ != kickSet;
    });
  }
}

} // namespace ringside::kvm
