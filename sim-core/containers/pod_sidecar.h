#pragma once
// A Kubernetes pod in miniature: a second container (the "sidecar") that joins the first one's
// network and IPC namespaces (setns, as runc does for every container of a pod after the first)
// but gets its own PID, UTS and mount namespaces. It reports what it sees on the report pipe
// ("pod\tNAME\tVALUE\tDETAIL\n" lines), like the first container's PID 1.
#include <string>
#include <sys/types.h>

namespace ringside::containers {

/// Runs the sidecar to completion (about a millisecond). `pid1` is the first container's PID 1
/// on the host; with `joinUserNs` the sidecar enters its user namespace first (needed without
/// root). Returns "" or what went wrong (the failing call and its errno).
std::string runSidecar(pid_t pid1, bool joinUserNs, int reportFd);

} // namespace ringside::containers
