#pragma once
// Runs a workload in a real container: new Linux namespaces (user, PID, UTS, mount, IPC,
// network, cgroup, each as far as this host allows) and cgroup limits (v2 where its controllers
// are enabled, else v1), with its system calls traced by ptrace. Everything that happens is
// recorded as `container` events in the trace. Cgroups, mounts and the temporary directory are
// removed afterwards, also after an error, a timeout or a stop request (a signal).
// See docs/containers.md.
#include "containers/box_workload.h"
#include "containers/cgroups.h"
#include "errors.h"
#include "trace/trace.h"

#include <csignal>
#include <string>
#include <vector>

namespace ringside::containers {

/// The host lets Ringside create none of the namespaces a container needs.
class ContainerUnavailable : public InputError {
public:
  using InputError::InputError;
};

struct ContainerOptions {
  Workload workload = Workload::Demo;
  std::string hostname = "ringside-box";
  bool userNs = true;     ///< use a user namespace where the host allows one
  bool useCgroups = true; ///< make a box cgroup with `limits`
  Limits limits;
  bool traceSyscalls = true; ///< ptrace the workload's system calls
  /// Also start a sidecar that joins the container's network and IPC namespaces, as the
  /// containers of a Kubernetes pod do (containers/pod_sidecar.h).
  bool pod = false;
  double timeoutSeconds = 20;
  /// Set by a signal handler: the run kills the container, cleans up and returns.
  const volatile std::sig_atomic_t *stopRequested = nullptr;
};

struct ContainerResult {
  std::string output;                   ///< what the workload wrote to its stdout
  std::vector<std::string> skipped;     ///< what this host forbids, and the exact reason
  std::vector<std::string> namespaces;  ///< the namespaces made
  std::vector<ControllerPlace> cgroups; ///< per controller: v1, v2 or none (why)
  int exitStatus = -1;                  ///< PID 1's exit status (128 + signal when killed)
  bool timedOut = false, stopped = false;
  std::string cleanup; ///< "" when everything was removed, else what was left
  uint64_t syscalls = 0;
};

/// Runs the container; its events go to `trace`. Throws ContainerUnavailable when no PID, UTS
/// or mount namespace can be made here.
ContainerResult runContainer(const ContainerOptions &options, Trace &trace);

} // namespace ringside::containers
