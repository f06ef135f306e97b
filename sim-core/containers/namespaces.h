#pragma once
// The Linux namespaces a container is made of (include/uapi/linux/sched.h), and which of them
// this host lets Ringside create.
#include <array>
#include <string>
#include <vector>

namespace ringside::containers {

struct NamespaceKind {
  const char *name;   ///< the /proc/PID/ns/ link name: user, pid, uts, mnt, ipc, net, cgroup
  unsigned long flag; ///< CLONE_NEW…
  const char *isolates;
};

/// In the order a container runtime creates them: the user namespace first, so that the others
/// are owned by it.
const std::array<NamespaceKind, 7> &namespaceKinds();

struct NamespaceProbe {
  std::string name;
  bool allowed = false;
  std::string why; ///< when not allowed: the failing call and its errno
};

/// Tries each namespace in a short-lived child (unshare). With `viaUserNs` the others are tried
/// inside a new user namespace, as an unprivileged runtime would.
std::vector<NamespaceProbe> probeNamespaces(bool viaUserNs);

/// The inode of /proc/PID/ns/NAME ("self" for this process), 0 when it cannot be read.
unsigned long namespaceInode(const std::string &pid, const std::string &name);

} // namespace ringside::containers
