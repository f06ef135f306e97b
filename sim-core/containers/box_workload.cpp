#include "containers/box_workload.h"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ringside::containers {
namespace {

constexpr char kMessage[] = "hello from the box\n";
constexpr int kMaxForks = 64;

void report(const BoxArgs &a, const char *what, const char *name, long long value,
            const char *detail = "") {
  char line[512];
  int n = std::snprintf(line, sizeof line, "%s\t%s\t%lld\t%s\n", what, name, value, detail);
  if (n > 0)
    (void)!write(a.reportFd, line, static_cast<size_t>(n < int(sizeof line) ? n : sizeof line - 1));
}

void reportCall(const BoxArgs &a, const char *name, bool ok) {
  report(a, "setup", name, ok ? 0 : -errno, ok ? "ok" : std::strerror(errno));
}

// Reads a small file into buf (NUL-terminated); its length, or -1.
long slurp(const char *path, char *buf, size_t size) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return -1;
  size_t got = 0;
  for (ssize_t n; got + 1 < size && (n = read(fd, buf + got, size - 1 - got)) > 0;)
    got += static_cast<size_t>(n);
  close(fd);
  buf[got] = 0;
  return static_cast<long>(got);
}

long countLines(const char *text) {
  long n = 0;
  for (const char *p = text; *p; ++p)
    n += *p == '\n';
  return n;
}

void setUp(const BoxArgs &a) {
  if (a.newUserNs) // become the namespace's root, i.e. the host IDs the parent mapped it to
    reportCall(a, "setuid-0", setgid(0) == 0 && setuid(0) == 0);
  if (a.cgroupNs) // now that the parent has put us in the box cgroup: it becomes our root "/"
    reportCall(a, "unshare-cgroup", unshare(CLONE_NEWCGROUP) == 0);
  if (a.newMountNs) {
    // Private first, so nothing below propagates back to the host's mount table.
    bool isPrivate = mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
    reportCall(a, "mount-private", isPrivate);
    if (isPrivate) {
      if (a.newPidNs)
        reportCall(a, "mount-proc",
                   mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0);
      reportCall(a, "mount-tmpfs", mount("box", a.boxDir, "tmpfs", 0, "size=1m") == 0);
    }
  }
  if (a.newUtsNs)
    reportCall(a, "sethostname", sethostname(a.hostname, std::strlen(a.hostname)) == 0);
  report(a, "phase", "workload", 0, "set-up done: the workload starts");
}

void hello(const BoxArgs &a) {
  (void)!write(1, kMessage, sizeof kMessage - 1);
  report(a, "inside", "pid", getpid(), "getpid() in the container");
  utsname u{};
  uname(&u);
  report(a, "inside", "hostname", 0, u.nodename);
}

void views(const BoxArgs &a) {
  static char buf[64 * 1024]; // the child's own copy: cloned memory
  report(a, "inside", "ppid", getppid(), "0: the parent is outside this PID namespace");
  report(a, "inside", "uid", getuid(), "getuid() in the container");
  if (slurp("/proc/self/mountinfo", buf, sizeof buf) >= 0)
    report(a, "inside", "mounts", countLines(buf),
           std::strstr(buf, a.boxDir) ? "lines in /proc/self/mountinfo, with the box's tmpfs"
                                      : "lines in /proc/self/mountinfo");
  if (slurp("/proc/self/net/dev", buf, sizeof buf) >= 0) {
    // Two header lines, then "  name: counters".
    char names[256] = {};
    long count = 0, lineNo = 0;
    for (char *p = buf, *nl; (nl = std::strchr(p, '\n')); p = nl + 1) {
      *nl = 0;
      char *colon = std::strchr(p, ':');
      if (++lineNo <= 2 || !colon)
        continue;
      *colon = 0;
      while (*p == ' ')
        ++p;
      if (std::strlen(names) + std::strlen(p) + 2 < sizeof names) {
        std::strcat(names, p);
        std::strcat(names, " ");
      }
      ++count;
    }
    report(a, "inside", "netifs", count, names);
  }
  if (slurp("/proc/sysvipc/shm", buf, sizeof buf) >= 0)
    report(a, "inside", "ipc-shm", countLines(buf) - 1, "System V shared memory segments");
  if (slurp("/proc/self/cgroup", buf, sizeof buf) >= 0) {
    // The pids hierarchy's line (v1), else the v2 line "0::…".
    char *line = std::strstr(buf, ":pids:");
    while (line && line > buf && line[-1] != '\n')
      --line;
    if (!line)
      line = std::strstr(buf, "0::");
    if (!line)
      line = buf;
    char *nl = std::strchr(line, '\n');
    if (nl)
      *nl = 0;
    report(a, "inside", "cgroup", 0, line);
  }
}

void forkUntilRefused(const BoxArgs &a) {
  pid_t kids[kMaxForks];
  int made = 0, err = 0;
  for (; made < kMaxForks; ++made) {
    pid_t k = fork();
    if (k == 0) {
      pause();
      _exit(0);
    }
    if (k < 0) {
      err = errno;
      break;
    }
    kids[made] = k;
  }
  char detail[128];
  std::snprintf(detail, sizeof detail, "%s after %d forks (PID 1 counts too)",
                err ? std::strerror(err) : "no failure", made);
  report(a, "limit", "fork", err ? -err : made, detail);
  for (int i = 0; i < made; ++i)
    kill(kids[i], SIGKILL);
  for (int i = 0; i < made; ++i)
    waitpid(kids[i], nullptr, 0);
}

void allocateUntilKilled(const BoxArgs &a) {
  constexpr size_t kChunk = 1u << 20;
  pid_t hog = fork();
  if (hog == 0) {
    for (size_t done = 0; done < 4 * a.memoryMax; done += kChunk) {
      void *m = mmap(nullptr, kChunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (m == MAP_FAILED)
        _exit(2);
      std::memset(m, 0x5A, kChunk); // touch every page: charged to the cgroup
    }
    _exit(0);
  }
  if (hog < 0) {
    report(a, "limit", "oom", -errno, "fork failed");
    return;
  }
  int status = 0;
  waitpid(hog, &status, 0);
  char detail[160];
  if (WIFSIGNALED(status))
    std::snprintf(detail, sizeof detail, "the allocating child was killed by signal %d (%s)",
                  WTERMSIG(status), WTERMSIG(status) == SIGKILL ? "SIGKILL: the OOM killer" : "?");
  else
    std::snprintf(detail, sizeof detail, "the allocating child exited %d: not killed",
                  WEXITSTATUS(status));
  report(a, "limit", "oom", WIFSIGNALED(status) ? WTERMSIG(status) : -1, detail);
}

double seconds(clockid_t clock) {
  timespec t{};
  clock_gettime(clock, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

void spin(const BoxArgs &a) {
  constexpr double kWindow = 0.3; // seconds of wall time
  double wall0 = seconds(CLOCK_MONOTONIC), cpu0 = seconds(CLOCK_PROCESS_CPUTIME_ID);
  while (seconds(CLOCK_MONOTONIC) - wall0 < kWindow) {
  }
  double cpu = seconds(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  double wall = seconds(CLOCK_MONOTONIC) - wall0;
  char detail[160];
  std::snprintf(detail, sizeof detail,
                "%.0f ms CPU in %.0f ms wall: %.0f %% (cpu.max allows %.0f %%)", cpu * 1e3,
                wall * 1e3, 100 * cpu / wall,
                100.0 * static_cast<double>(a.cpuQuotaUs) / static_cast<double>(a.cpuPeriodUs));
  report(a, "limit", "cpu", static_cast<long long>(cpu * 1e3), detail);
}

} // namespace

int boxMain(void *arg) {
  const auto &a = *static_cast<const BoxArgs *>(arg);
  dup2(a.outFd, 1);
  if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0)
    report(a, "skip", "ptrace", -errno, std::strerror(errno));
  raise(SIGSTOP); // the parent writes the ID maps, fills the cgroups, starts tracing
  unsigned char limits = 0;
  if (read(a.controlFd, &limits, 1) != 1)
    limits = 0;
  setUp(a);
  hello(a);
  if (a.workload == Workload::Demo) {
    views(a);
    if (limits & 1)
      forkUntilRefused(a);
    if (limits & 2)
      allocateUntilKilled(a);
    if (limits & 4)
      spin(a);
  }
  _exit(0);
}

} // namespace ringside::containers
