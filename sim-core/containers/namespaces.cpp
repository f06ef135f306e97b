#include "containers/namespaces.h"

#include "containers/syscall_names.h"

#include <cerrno>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ringside::containers {

const std::array<NamespaceKind, 7> &namespaceKinds() {
  static const std::array<NamespaceKind, 7> kKinds = {{
      {"user", CLONE_NEWUSER, "user and group IDs, capabilities"},
      {"pid", CLONE_NEWPID, "process IDs (the first process is PID 1)"},
      {"uts", CLONE_NEWUTS, "host name and domain name"},
      {"mnt", CLONE_NEWNS, "the mount table"},
      {"ipc", CLONE_NEWIPC, "System V IPC and POSIX message queues"},
      {"net", CLONE_NEWNET, "network interfaces, routes, sockets"},
      {"cgroup", CLONE_NEWCGROUP, "the view of the cgroup tree"},
  }};
  return kKinds;
}

namespace {

// 0, or the errno of unshare(flags) in a child (which exits right after).
int tryUnshare(unsigned long flags) {
  pid_t child = fork();
  if (child < 0)
    return errno;
  if (child == 0)
    _exit(unshare(static_cast<int>(flags)) == 0 ? 0 : (errno & 0xFF));
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : EINTR;
}

} // namespace

std::vector<NamespaceProbe> probeNamespaces(bool viaUserNs) {
  std::vector<NamespaceProbe> out;
  for (const auto &k : namespaceKinds()) {
    unsigned long flags = k.flag;
    if (viaUserNs && k.flag != CLONE_NEWUSER)
      flags |= CLONE_NEWUSER;
    int err = tryUnshare(flags);
    NamespaceProbe p{k.name, err == 0, ""};
    if (err)
      p.why = std::string("unshare(CLONE_NEW") + (k.flag == CLONE_NEWNS ? "NS" : "") +
              (k.flag == CLONE_NEWNS ? "" : [&] {
                std::string up = k.name;
                for (auto &c : up)
                  c = static_cast<char>(c - 'a' + 'A');
                return up;
              }()) +
              (viaUserNs && k.flag != CLONE_NEWUSER ? "|CLONE_NEWUSER" : "") +
              "): " + errnoName(err);
    out.push_back(p);
  }
  return out;
}

unsigned long namespaceInode(const std::string &pid, const std::string &name) {
  struct stat st {};
  if (stat(("/proc/" + pid + "/ns/" + name).c_str(), &st) != 0)
    return 0;
  return st.st_ino;
}

} // namespace ringside::containers
