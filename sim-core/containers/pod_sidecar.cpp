#include "containers/pod_sidecar.h"

#include "containers/syscall_names.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ringside::containers {
namespace {

// Exit codes of the helper: which step failed (its errno goes on the report pipe).
enum Step : int { kOk = 0, kOpen = 10, kSetnsUser, kSetnsNet, kSetnsIpc, kUnshare, kFork };

void report(int fd, const char *name, long long value, const char *detail) {
  char line[256];
  int n = std::snprintf(line, sizeof line, "pod\t%s\t%lld\t%s\n", name, value, detail);
  if (n > 0 && n < static_cast<int>(sizeof line))
    (void)!write(fd, line, static_cast<size_t>(n));
}

long long inode(const char *path) {
  struct stat st {};
  return stat(path, &st) == 0 ? static_cast<long long>(st.st_ino) : 0;
}

int joinThenRun(pid_t pid1, bool joinUserNs, int fd) {
  char path[64];
  auto enter = [&](const char *ns, int type) {
    std::snprintf(path, sizeof path, "/proc/%d/ns/%s", static_cast<int>(pid1), ns);
    int nsfd = open(path, O_RDONLY | O_CLOEXEC);
    if (nsfd < 0)
      return false;
    bool ok = setns(nsfd, type) == 0;
    close(nsfd);
    return ok;
  };
  if (joinUserNs && !enter("user", CLONE_NEWUSER))
    return kSetnsUser;
  if (!enter("net", CLONE_NEWNET))
    return kSetnsNet;
  if (!enter("ipc", CLONE_NEWIPC))
    return kSetnsIpc;
  if (unshare(CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWNS) != 0)
    return kUnshare;
  pid_t c = fork(); // the first child of the new PID namespace: the sidecar's PID 1
  if (c < 0)
    return kFork;
  if (c == 0) {
    const char name[] = "ringside-sidecar";
    sethostname(name, sizeof name - 1);
    report(fd, "sidecar-pid", getpid(), "getpid() in the sidecar");
    report(fd, "sidecar-hostname", 0, name);
    report(fd, "sidecar-net", inode("/proc/self/ns/net"), "joined: the pod's network namespace");
    report(fd, "sidecar-ipc", inode("/proc/self/ns/ipc"), "joined: the pod's IPC namespace");
    report(fd, "sidecar-uts", inode("/proc/self/ns/uts"), "its own UTS namespace");
    _exit(0);
  }
  int status = 0;
  waitpid(c, &status, 0);
  return kOk;
}

} // namespace

std::string runSidecar(pid_t pid1, bool joinUserNs, int reportFd) {
  int errPipe[2];
  if (pipe2(errPipe, O_CLOEXEC) != 0)
    return std::string("pipe: ") + errnoName(errno);
  pid_t helper = fork();
  if (helper < 0)
    return std::string("fork: ") + errnoName(errno);
  if (helper == 0) {
    close(errPipe[0]);
    int step = joinThenRun(pid1, joinUserNs, reportFd);
    int err = errno;
    (void)!write(errPipe[1], &err, sizeof err);
    _exit(step);
  }
  close(errPipe[1]);
  int status = 0, err = 0;
  while (waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }
  if (read(errPipe[0], &err, sizeof err) != sizeof err)
    err = 0;
  close(errPipe[0]);
  if (WIFEXITED(status) && WEXITSTATUS(status) == kOk)
    return "";
  static constexpr const char *kCalls[] = {
      "open /proc/PID/ns",      "setns(user)", "setns(net)", "setns(ipc)",
      "unshare(PID|UTS|mount)", "fork"};
  int step = WIFEXITED(status) ? WEXITSTATUS(status) - kOpen : -1;
  if (step < 0 || step > 5)
    return "the sidecar's helper died (status " + std::to_string(status) + ")";
  return std::string(kCalls[step]) + ": " + errnoName(err);
}

} // namespace ringside::containers
