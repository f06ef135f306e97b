#pragma once
// Gets a vCPU out of KVM_RUN: a timer thread that, at the deadline or on request, signals the
// vCPU thread; the handler sets kvm_run.immediate_exit so KVM_RUN returns EINTR even if the
// signal lands just before the ioctl. Needed for guests that never exit by themselves: an
// endless loop, or VMCALL, which livelocks inside the kernel on PVM.
#include <linux/kvm.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <thread>

namespace ringside::kvm {

class VcpuWatchdog {
public:
  VcpuWatchdog();
  ~VcpuWatchdog();
  VcpuWatchdog(const VcpuWatchdog &) = delete;
  VcpuWatchdog &operator=(const VcpuWatchdog &) = delete;

  /// Called on the vCPU thread before its first KVM_RUN. `timeoutSeconds` 0: no deadline.
  void start(kvm_run *run, double timeoutSeconds);
  /// Joins the timer thread; call on the vCPU thread when the run loop is done.
  void stop();
  /// Thread-safe: kick the vCPU out as soon as possible.
  void requestStop();
  /// Kick the vCPU out of KVM_RUN once at `when` (a timer interrupt is due then), without
  /// stopping the run. Replaces an earlier kick not yet delivered.
  void kickAt(std::chrono::steady_clock::time_point when);
  void cancelKick();

  bool timedOut() const { return timedOut_; }
  bool stopRequested() const { return stopRequested_; }
  /// The run loop checks this after clearing immediate_exit and before each KVM_RUN.
  bool shouldStop() const { return timedOut_ || stopRequested_; }

private:
  void loop(double timeoutSeconds);

  pthread_t vcpuThread_{};
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool running_ = false;
  std::atomic<bool> timedOut_{false};
  std::atomic<bool> stopRequested_{false};
  std::optional<std::chrono::steady_clock::time_point> kickAt_; ///< guarded by mutex_
};

} // namespace ringside::kvm
