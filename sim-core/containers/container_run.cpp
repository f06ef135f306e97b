#include "containers/container_run.h"
#include "containers/proc_files.h"

#include "containers/namespaces.h"
#include "containers/pod_sidecar.h"
#include "containers/syscall_names.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sched.h>
#include <sstream>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace ringside::containers {
namespace {

using Clock = std::chrono::steady_clock;

// A root runtime maps the container's root to an unprivileged range of host IDs, as Docker's
// userns-remap and rootless Podman do (/etc/subuid); an unprivileged one can map only itself.
constexpr unsigned kRemapBase = 100000, kRemapCount = 65536;
constexpr size_t kStackBytes = size_t{512} << 10;

struct Fd {
  int fd = -1;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0)
      close(fd);
    fd = -1;
  }
};

struct PipePair {
  Fd read, write;
  PipePair() {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
      throw InputError(std::string("container: pipe: ") + std::strerror(errno));
    read.fd = fds[0];
    write.fd = fds[1];
    fcntl(read.fd, F_SETFL, O_NONBLOCK);
  }
};

// The host directory the container mounts its tmpfs on; removed at the end.
struct BoxDir {
  std::string path;
  BoxDir() {
    // Named after this process, so that a later run can remove it if this one is killed.
    std::string tmpl = "/tmp/ringside-box-" + std::to_string(getpid()) + "-XXXXXX";
    if (!mkdtemp(tmpl.data()))
      throw InputError(std::string("container: mkdtemp: ") + std::strerror(errno));
    path = tmpl;
    chmod(path.c_str(), 0755); // reachable for a remapped container root
  }
  ~BoxDir() { rmdir(path.c_str()); }
};

// Kills and reaps PID 1 unless it was reaped: no container outlives an error.
struct ChildGuard {
  pid_t pid = -1;
  ~ChildGuard() {
    if (pid <= 0)
      return;
    kill(pid, SIGKILL);
    while (waitpid(pid, nullptr, __WALL) < 0 && errno == EINTR) {
    }
  }
};

struct Stack {
  void *base = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  ~Stack() {
    if (base != MAP_FAILED)
      munmap(base, kStackBytes);
  }
};

int64_t lineCount(const std::string &text) {
  int64_t n = 0;
  for (char c : text)
    n += c == '\n';
  return n;
}

std::string netifs(const std::string &devFile, int64_t &count) {
  std::istringstream in(devFile);
  std::string line, names;
  count = 0;
  for (int n = 0; std::getline(in, line);)
    if (++n > 2 && line.find(':') != std::string::npos) {
      auto name = line.substr(0, line.find(':'));
      name.erase(0, name.find_first_not_of(' '));
      names += name + " ";
      ++count;
    }
  return names;
}

std::string drain(int fd) {
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;)
    out.append(buf, static_cast<size_t>(n));
  return out;
}

std::string errText(int err) { return errnoName(err) + " (" + std::strerror(err) + ")"; }

class Run {
public:
  Run(const ContainerOptions &o, Trace &t) : o_(o), trace_(t) {}
  ContainerResult go();

private:
  void rec(std::string what, std::string name, int64_t value, std::string detail,
           std::string from) {
    trace_.record(r_.syscalls,
                  ContainerEvent{std::move(what), std::move(name), value, std::move(detail),
                                 static_cast<uint32_t>(pid_), std::move(from)});
  }
  void skip(const std::string &name, const std::string &why, const std::string &from) {
    r_.skipped.push_back(name + ": " + why);
    rec("skip", name, 0, why, from);
  }
  unsigned long chooseNamespaces();
  unsigned char setUpCgroups(const std::vector<CgroupWrite> &attached);
  void writeIdMaps();
  void hostViews();
  void onReport(const std::string &lines);
  void onSyscallStop();
  void loop(bool traced);
  void pump();
  void finish();

  const ContainerOptions &o_;
  Trace &trace_;
  ContainerResult r_;
  pid_t pid_ = 0;
  bool useUser_ = false, cgroupNs_ = false;
  std::unique_ptr<CgroupBox> box_;
  std::string reportBuffer_;
  long pendingNr_ = -1;
  uint64_t pendingArg0_ = 0;
  int childReportFd_ = -1, reportReadFd_ = -1, outReadFd_ = -1, reportWriteFd_ = -1;
  std::string boxDir_;
};

unsigned long Run::chooseNamespaces() {
  bool root = geteuid() == 0;
  auto probes = probeNamespaces(false);
  bool userOk = probes.front().allowed;
  if (!root && userOk && o_.userNs)
    probes = probeNamespaces(true); // the others inside a user namespace
  useUser_ = userOk && o_.userNs;
  unsigned long flags = 0;
  for (const auto &p : probes) {
    const auto &kind = *std::find_if(namespaceKinds().begin(), namespaceKinds().end(),
                                     [&](const NamespaceKind &k) { return p.name == k.name; });
    if (!p.allowed) {
      skip(p.name + std::string(" namespace"),
           (root || useUser_ || p.name == "user" ? "the host forbids it: "
                                                 : "needs root or a user namespace: ") +
               p.why,
           "clone");
      continue;
    }
    if (kind.flag == CLONE_NEWUSER) {
      if (!o_.userNs)
        skip("user namespace", "not asked for (--no-userns)", "clone");
      continue;
    }
    if (kind.flag == CLONE_NEWCGROUP) // made by PID 1 once it sits in the box cgroup
      cgroupNs_ = true;
    else
      flags |= kind.flag;
  }
  for (unsigned long need : {CLONE_NEWPID, CLONE_NEWUTS, CLONE_NEWNS})
    if (!(flags & need)) {
      std::string why;
      for (const auto &s : r_.skipped)
        why += (why.empty() ? "" : "; ") + s;
      throw ContainerUnavailable("containers are not available on this host: " + why);
    }
  return flags;
}

void Run::writeIdMaps() {
  bool root = geteuid() == 0;
  std::string dir = "/proc/" + std::to_string(pid_) + "/";
  if (!root) // an unprivileged process may map its own IDs only after giving up setgroups
    writeFile(dir + "setgroups", "deny");
  std::string uidMap = root ? "0 " + std::to_string(kRemapBase) + " " + std::to_string(kRemapCount)
                            : "0 " + std::to_string(getuid()) + " 1";
  std::string gidMap = root ? uidMap : "0 " + std::to_string(getgid()) + " 1";
  int eu = writeFile(dir + "uid_map", uidMap), eg = writeFile(dir + "gid_map", gidMap);
  if (eu || eg)
    skip("user namespace ID map", "writing uid_map/gid_map: " + errText(eu ? eu : eg), "procfs");
  else
    rec("namespace", "uid_map", root ? kRemapBase : getuid(),
        "uid_map \"" + uidMap + "\": root inside is uid " +
            std::to_string(root ? kRemapBase : getuid()) + " outside",
        "procfs");
}

unsigned char Run::setUpCgroups(const std::vector<CgroupWrite> &attached) {
  unsigned char limits = 0;
  for (const auto &a : attached)
    if (a.err)
      skip("cgroup " + a.controller, "moving PID 1 into " + a.path + ": " + errText(a.err),
           "cgroupfs");
    else
      rec("cgroup", "cgroup.procs", pid_,
          a.path + " (" + cgroupVersionName(a.version) + "): PID 1 moved in", "cgroupfs");
  auto attachedOk = [&](const std::string &c) {
    for (const auto &a : attached)
      if (a.path.starts_with(box_->dirOf(c)) && !box_->dirOf(c).empty())
        return a.err == 0;
    return false;
  };
  if (box_) {
    limits |= (attachedOk("pids") && box_->has("pids")) ? 1 : 0;
    limits |= (attachedOk("memory") && box_->has("memory")) ? 2 : 0;
    limits |= (attachedOk("cpu") && box_->has("cpu")) ? 4 : 0;
  }
  return limits;
}

void Run::hostViews() {
  std::string p = std::to_string(pid_);
  rec("host", "pid", pid_, "the container's PID 1 as the host sees it", "clone");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  rec("host", "hostname", 0, host, "procfs");
  auto mounts = readFile("/proc/self/mountinfo");
  rec("host", "mounts", lineCount(mounts), "lines in the host's /proc/self/mountinfo", "procfs");
  rec("host", "box-mount", mounts.find(boxDir_) != std::string::npos,
      mounts.find(boxDir_) != std::string::npos
          ? "the host sees a mount on " + boxDir_
          : "the host sees no mount on " + boxDir_ + " (the container's tmpfs is its own)",
      "procfs");
  int64_t n = 0;
  auto names = netifs(readFile("/proc/self/net/dev"), n);
  rec("host", "netifs", n, names, "procfs");
  rec("host", "ipc-shm", lineCount(readFile("/proc/sysvipc/shm")) - 1,
      "System V shared memory segments", "procfs");
  std::istringstream status(readFile("/proc/" + p + "/status"));
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("Uid:"))
      rec("host", "uid", std::atoll(line.c_str() + 4), "the container's root as the host sees it",
          "procfs");
  std::istringstream cg(readFile("/proc/" + p + "/cgroup"));
  std::string shown, line;
  while (std::getline(cg, line)) // as inside: the pids line (v1), else the v2 line
    if (shown.empty() || line.find(":pids:") != std::string::npos ||
        (line.starts_with("0::") && shown.find(":pids:") == std::string::npos))
      shown = line;
  rec("host", "cgroup", 0, shown, "procfs");
  for (const auto &k : namespaceKinds()) {
    unsigned long inside = namespaceInode(p, k.name), outside = namespaceInode("self", k.name);
    std::string name = k.name;
    if (!inside)
      continue;
    if (inside != outside)
      r_.namespaces.push_back(name);
    rec("namespace", name, static_cast<int64_t>(inside),
        inside != outside ? name + ":[" + std::to_string(inside) + "] new (host " + name + ":[" +
                                std::to_string(outside) + "]): " + k.isolates
                          : "shared with the host",
        "procfs");
  }
}

void Run::onReport(const std::string &text) {
  reportBuffer_ += text;
  for (size_t nl; (nl = reportBuffer_.find('\n')) != std::string::npos;) {
    std::string line = reportBuffer_.substr(0, nl);
    reportBuffer_.erase(0, nl + 1);
    std::string field[4];
    std::istringstream in(line);
    for (auto &f : field)
      std::getline(in, f, '\t');
    if (field[0] == "skip")
      r_.skipped.push_back(field[1] + ": " + field[3]);
    rec(field[0], field[1], std::atoll(field[2].c_str()), field[3], "workload");
    if (field[0] == "phase") {
      hostViews(); // PID 1 is stopped right after this write: its namespaces are complete
      if (o_.pod)
        if (auto why = runSidecar(pid_, useUser_ && geteuid() != 0, reportWriteFd_); !why.empty())
          skip("pod sidecar", why, "clone");
    }
    if (field[0] == "pod" && field[1] != "sidecar-pid" && field[1] != "sidecar-hostname") {
      // The pod's point: the same network and IPC namespace, a UTS namespace of its own.
      std::string ns = field[1].substr(8);
      auto mine = static_cast<int64_t>(namespaceInode(std::to_string(pid_), ns));
      bool same = std::atoll(field[2].c_str()) == mine;
      rec("pod", ns + "-shared", same,
          ns + (same ? ": the same namespace as the container's"
                     : ": not the container's (" + std::to_string(mine) + ")"),
          "procfs");
    }
  }
}

void Run::onSyscallStop() {
  __ptrace_syscall_info info{};
  if (ptrace(PTRACE_GET_SYSCALL_INFO, pid_, sizeof info, &info) <= 0)
    return;
  if (info.op == PTRACE_SYSCALL_INFO_ENTRY) {
    pendingNr_ = static_cast<long>(info.entry.nr);
    pendingArg0_ = info.entry.args[0];
    if (pendingNr_ == SYS_exit_group || pendingNr_ == SYS_exit) {
      ++r_.syscalls;
      rec("syscall", syscallName(pendingNr_), static_cast<int64_t>(pendingArg0_),
          "status " + std::to_string(pendingArg0_), "ptrace");
    }
    return;
  }
  if (info.op != PTRACE_SYSCALL_INFO_EXIT || pendingNr_ < 0)
    return;
  long nr = pendingNr_;
  pendingNr_ = -1;
  // The report pipe is Ringside's bookkeeping, not the workload's: left out.
  if (nr == SYS_write && static_cast<int>(pendingArg0_) == childReportFd_)
    return;
  ++r_.syscalls;
  int64_t rv = info.exit.rval;
  std::string detail;
  if (info.exit.is_error)
    detail = errnoName(static_cast<int>(-rv));
  else if (nr == SYS_write || nr == SYS_read || nr == SYS_close)
    detail = "fd " + std::to_string(pendingArg0_);
  else if (nr == SYS_clone || nr == SYS_fork || nr == SYS_clone3)
    detail = "child is PID " + std::to_string(rv) + " in the container";
  else if (nr == SYS_getpid)
    detail = "the host knows this process as " + std::to_string(pid_);
  rec("syscall", syscallName(nr), rv, detail, "ptrace");
}

void Run::loop(bool traced) {
  auto deadline = Clock::now() + std::chrono::duration<double>(o_.timeoutSeconds);
  int status = 0;
  for (;;) {
    if (o_.stopRequested && *o_.stopRequested) {
      r_.stopped = true;
      return;
    }
    if (Clock::now() > deadline) {
      r_.timedOut = true;
      rec("exit", "timeout", 0, "killed after the time limit", "ringside");
      return;
    }
    pid_t w = waitpid(pid_, &status, __WALL | WNOHANG);
    if (w < 0 && errno != EINTR)
      return;
    if (w <= 0) {
      pump();
      std::this_thread::sleep_for(std::chrono::microseconds(50));
      continue;
    }
    if (WIFEXITED(status) || WIFSIGNALED(status)) {
      r_.exitStatus = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      pid_ = -pid_; // reaped: nothing to kill
      return;
    }
    if (!WIFSTOPPED(status))
      continue;
    int sig = WSTOPSIG(status);
    if (traced && sig == (SIGTRAP | 0x80)) {
      onSyscallStop();
      pump(); // the report pipe and stdout, in step with the system calls that wrote them
      ptrace(PTRACE_SYSCALL, pid_, nullptr, nullptr);
    } else if (traced) {
      ptrace(PTRACE_SYSCALL, pid_, nullptr, reinterpret_cast<void *>(static_cast<long>(sig)));
    } else {
      kill(pid_, SIGCONT);
    }
  }
}

// What a Ringside killed with SIGKILL left: empty /tmp/ringside-box-PID-* directories of dead
// PIDs (its container died with it: PTRACE_O_EXITKILL) and its box cgroups.
void removeLeftovers() {
  std::error_code ec;
  for (const auto &e : std::filesystem::directory_iterator("/tmp", ec)) {
    std::string name = e.path().filename().string();
    if (!name.starts_with("ringside-box-"))
      continue;
    long pid = std::atol(name.c_str() + 13);
    if (pid > 0 && kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      rmdir(e.path().c_str()); // only when empty
  }
  removeStaleBoxes();
}

ContainerResult Run::go() {
  removeLeftovers();
  unsigned long flags = chooseNamespaces();
  if (o_.useCgroups) {
    box_ = std::make_unique<CgroupBox>(planCgroups(), "ringside-box-" + std::to_string(getpid()));
    r_.cgroups = box_->places();
    for (const auto &p : box_->places())
      if (p.version == CgroupVersion::None)
        skip("cgroup " + p.controller, p.why, "cgroupfs");
      else
        rec("cgroup", p.controller, 0,
            std::string(cgroupVersionName(p.version)) + ": " + box_->dirOf(p.controller) +
                (p.why.empty() ? "" : " (not v2: " + p.why + ")"),
            "cgroupfs");
    for (const auto &w : box_->setLimits(o_.limits)) {
      auto file = w.path.substr(w.path.rfind('/') + 1);
      if (w.err)
        skip("cgroup " + file, "writing " + w.path + ": " + errText(w.err), "cgroupfs");
      else
        rec("cgroup", file, std::atoll(w.value.c_str()),
            w.path + " = " + w.value + " (" + cgroupVersionName(w.version) + ")", "cgroupfs");
    }
  }
  BoxDir dir;
  boxDir_ = dir.path;
  PipePair report, out, control;
  BoxArgs args;
  args.reportFd = report.write.fd;
  args.outFd = out.write.fd;
  args.controlFd = control.read.fd;
  childReportFd_ = report.write.fd;
  std::snprintf(args.hostname, sizeof args.hostname, "%s", o_.hostname.c_str());
  std::snprintf(args.boxDir, sizeof args.boxDir, "%s", boxDir_.c_str());
  args.workload = o_.workload;
  args.newMountNs = flags & CLONE_NEWNS;
  args.newPidNs = flags & CLONE_NEWPID;
  args.newUtsNs = flags & CLONE_NEWUTS;
  args.cgroupNs = cgroupNs_;
  args.memoryMax = o_.limits.memoryMax;
  args.cpuQuotaUs = o_.limits.cpuQuotaUs;
  args.cpuPeriodUs = o_.limits.cpuPeriodUs;
  fcntl(control.read.fd, F_SETFL, 0); // PID 1 waits for its byte

  Stack stack;
  if (stack.base == MAP_FAILED)
    throw InputError(std::string("container: stack: ") + std::strerror(errno));
  char *top = static_cast<char *>(stack.base) + kStackBytes;
  unsigned long all = flags | (useUser_ ? CLONE_NEWUSER : 0);
  args.newUserNs = useUser_;
  pid_ = clone(boxMain, top, static_cast<int>(all) | SIGCHLD, &args);
  if (pid_ < 0 && useUser_ && geteuid() == 0) {
    skip("user namespace",
         "clone with CLONE_NEWUSER and the others: " + errText(errno) +
             "; running as root without it",
         "clone");
    useUser_ = args.newUserNs = false;
    pid_ = clone(boxMain, top, static_cast<int>(flags) | SIGCHLD, &args);
  }
  if (pid_ < 0)
    throw ContainerUnavailable("container: clone: " + errText(errno));
  ChildGuard guard{pid_};
  if (o_.pod)
    reportWriteFd_ = report.write.fd; // the sidecar reports on it too
  else
    report.write.reset();
  out.write.reset();
  control.read.reset();
  rec("namespace", "clone", pid_,
      "clone() with new namespaces: PID 1 is host PID " + std::to_string(pid_), "clone");

  int status = 0;
  while (waitpid(pid_, &status, __WALL | WUNTRACED) < 0 && errno == EINTR) {
  }
  if (!WIFSTOPPED(status)) {
    guard.pid = -1;
    throw InputError("container: PID 1 ended before its set-up (status " + std::to_string(status) +
                     ")");
  }
  if (useUser_)
    writeIdMaps();
  unsigned char limits = setUpCgroups(box_ ? box_->attach(pid_) : std::vector<CgroupWrite>{});
  (void)!write(control.write.fd, &limits, 1);
  bool traced = o_.traceSyscalls &&
                ptrace(PTRACE_SETOPTIONS, pid_, nullptr,
                       reinterpret_cast<void *>(PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL)) == 0;
  if (o_.traceSyscalls && !traced)
    skip("syscall tracing", "ptrace: " + errText(errno), "ptrace");
  if (traced) {
    ptrace(PTRACE_SYSCALL, pid_, nullptr, nullptr);
  } else { // let it go untraced (it may still be our tracee, stopped: detach resumes it)
    ptrace(PTRACE_DETACH, pid_, nullptr, nullptr);
    kill(pid_, SIGCONT);
  }

  reportReadFd_ = report.read.fd;
  outReadFd_ = out.read.fd;
  loop(traced);
  if (pid_ > 0) { // stopped or timed out: end it now, before the clean-up
    kill(pid_, SIGKILL);
    while (waitpid(pid_, &status, __WALL) < 0 && errno == EINTR) {
    }
    r_.exitStatus = 128 + SIGKILL;
  } else {
    pid_ = -pid_;
  }
  guard.pid = -1;
  pump();
  finish();
  return r_;
}

void Run::pump() {
  if (auto text = drain(outReadFd_); !text.empty()) {
    r_.output += text;
    rec("stdout", "write", static_cast<int64_t>(text.size()), text, "workload");
  }
  if (auto text = drain(reportReadFd_); !text.empty())
    onReport(text);
}

void Run::finish() {
  if (box_)
    for (const auto &c : box_->counters())
      rec("limit", c.file + (c.key.empty() ? "" : ":" + c.key), c.value,
          c.controller + " counter in the box cgroup", "cgroupfs");
  rec("exit", "pid1", r_.exitStatus,
      r_.exitStatus >= 128 ? "killed by signal " + std::to_string(r_.exitStatus - 128)
                           : "exited " + std::to_string(r_.exitStatus),
      "ringside");
  // The container's mounts lived in its own mount namespace: they went with its last process.
  std::string left = box_ ? box_->destroy() : "";
  box_.reset();
  if (rmdir(boxDir_.c_str()) != 0 && errno != ENOENT)
    left += (left.empty() ? "" : "; ") + ("rmdir " + boxDir_ + ": " + errText(errno));
  if (readFile("/proc/self/mountinfo").find(boxDir_) != std::string::npos)
    left += (left.empty() ? "" : "; ") + ("a mount on " + boxDir_ + " is still visible");
  r_.cleanup = left;
  rec("cleanup", "all", left.empty() ? 0 : 1,
      left.empty() ? "box cgroups and " + boxDir_ + " removed; no container mount left on the host"
                   : left,
      "ringside");
}

} // namespace

ContainerResult runContainer(const ContainerOptions &options, Trace &trace) {
  Run run(options, trace);
  return run.go();
}

} // namespace ringside::containers
