#pragma once
// What runs inside the container, as its PID 1: it finishes the container's set-up (cgroup
// namespace, private mounts, a fresh /proc, the host name), then runs the workload and reports
// what it sees on a pipe, one line per observation: "what\tname\tvalue\tdetail\n".
//
// It runs in a clone() of the Ringside process, so it sticks to system calls and stack buffers
// (no allocation, no stdio): the parent may have had other threads.
#include <cstdint>

namespace ringside::containers {

enum class Workload : uint8_t {
  Hello, ///< write a message, get the PID, get the host name: the VM comparison's workload
  Demo,  ///< Hello, what it sees (mounts, interfaces, IPC, cgroup, user), and the limits biting
};

struct BoxArgs {
  int reportFd = -1, outFd = -1;
  int controlFd = -1; ///< after the stop, one byte: the limits in force (1 pids, 2 memory, 4 cpu)
  char hostname[64] = {};
  char boxDir[256] = {}; ///< a host directory the container mounts a tmpfs on
  Workload workload = Workload::Hello;
  bool newUserNs = false, newMountNs = false, newPidNs = false, newUtsNs = false, cgroupNs = false;
  uint64_t memoryMax = 0;
  uint64_t cpuQuotaUs = 0, cpuPeriodUs = 0;
};

/// The clone() entry point; `arg` is a BoxArgs. Returns the exit status.
int boxMain(void *arg);

} // namespace ringside::containers
