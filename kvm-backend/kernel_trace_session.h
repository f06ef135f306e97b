#pragma once
// A tracefs session around a KVM run: its own ftrace instance (instances/ringside-<pid>-<n>, so
// the global buffer and anyone else's tracing stay untouched), the KVM tracepoints enabled,
// filtered to the run's threads; after the run the buffer is read and handed to the parsers.
// Removing the instance on stop or destruction undoes every setting it made.
#include "kernel_trace_parse.h"

#include <filesystem>
#include <optional>
#include <string>
#include <sys/types.h>
#include <vector>

namespace ringside::kvm {

enum class TracefsState : uint8_t {
  Usable,
  NotMounted,    ///< no tracefs, and we could not mount one (not root, or mount failed)
  NotPrivileged, ///< tracefs is there but its files are not writable for us
  NoKvmEvents,   ///< the kvm module (and its tracepoints) is not loaded
  NoInstances,   ///< a kernel without ftrace instances
};

struct TracefsProbe {
  TracefsState state = TracefsState::NotMounted;
  std::filesystem::path root; ///< e.g. /sys/kernel/tracing
  bool mountedByUs = false;   ///< we mounted it (it stays mounted: see kernel_trace_session.cpp)
  std::string message;        ///< for people: what is missing and how to fix it
  bool usable() const { return state == TracefsState::Usable; }
};

/// Finds tracefs (/sys/kernel/tracing, /sys/kernel/debug/tracing) and says whether a session can
/// use it; with `mountIfNeeded`, root mounts it at /sys/kernel/tracing when it is not mounted.
TracefsProbe probeTracefs(bool mountIfNeeded = true);

/// The tracepoints that carry what the kernel saw of the guest (see kernel_trace_parse.h).
std::vector<std::string> defaultKernelTraceEvents();

/// Every thread of a process (from /proc/<pid>/task), for the pid filter.
std::vector<pid_t> threadsOf(pid_t pid);

struct KernelTraceCapture {
  std::vector<std::string> lines; ///< the buffer's lines, comments dropped
  KernelTraceParse parsed;
  std::vector<std::string> enabledEvents;
  std::vector<std::string> missingEvents; ///< requested but absent from this kernel
};

class KernelTraceSession {
public:
  struct Options {
    std::vector<std::string> events = defaultKernelTraceEvents(); ///< "system/event"
    std::vector<pid_t> pids;        ///< set_event_pid (vCPU threads); empty = every task
    unsigned bufferKbPerCpu = 8192; ///< CPL0 guests on PVM log a walk per instruction
  };

  KernelTraceSession() = default;
  ~KernelTraceSession();
  KernelTraceSession(const KernelTraceSession &) = delete;
  KernelTraceSession &operator=(const KernelTraceSession &) = delete;

  /// Creates the instance and starts recording. False (and error()) when tracefs is not usable or
  /// none of the events exists; nothing is left behind then.
  bool start(const Options &options);
  /// Stops recording, reads and parses the buffer, removes the instance.
  std::optional<KernelTraceCapture> stop();

  bool active() const { return !instance_.empty(); }
  const std::string &error() const { return error_; }
  const TracefsProbe &probe() const { return probe_; }
  const std::filesystem::path &instanceDir() const { return instance_; }

private:
  bool fail(std::string message);
  void removeInstance();

  TracefsProbe probe_;
  std::filesystem::path instance_;
  std::vector<std::string> enabled_, missing_;
  std::string error_;
};

} // namespace ringside::kvm
