#include "kernel_trace_session.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ringside::kvm {
namespace fs = std::filesystem;
namespace {

constexpr const char *kTracefsMountPoint = "/sys/kernel/tracing";
const char *const kTracefsRoots[] = {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"};
constexpr std::string_view kInstancePrefix = "ringside-";

/// Writes a whole tracefs control file; tracefs wants one write(2) per setting.
bool writeControl(const fs::path &path, const std::string &text, std::string *error = nullptr) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
  bool ok = fd >= 0;
  if (ok) {
    ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
  }
  if (!ok && error)
    *error = "cannot write " + path.string() + ": " + std::strerror(errno);
  return ok;
}

/// Effective capabilities from /proc/self/status, for the "why not" message.
uint64_t effectiveCaps() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("CapEff:", 0) == 0)
      return std::strtoull(line.c_str() + 7, nullptr, 16);
  return 0;
}

std::string privilegeHint() {
  constexpr int kCapSysAdmin = 21, kCapPerfmon = 38;
  const uint64_t caps = effectiveCaps();
  std::ostringstream os;
  os << "euid " << ::geteuid() << ", CAP_SYS_ADMIN " << ((caps >> kCapSysAdmin) & 1 ? "yes" : "no")
     << ", CAP_PERFMON " << ((caps >> kCapPerfmon) & 1 ? "yes" : "no")
     << ". tracefs files are root-only by default; CAP_PERFMON lets `perf record -e kvm:kvm_exit` "
        "read tracepoints but does not open tracefs. Run as root.";
  return os.str();
}

/// Instances left by a Ringside process that died before removing them.
void removeStaleInstances(const fs::path &instances) {
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(instances, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(kInstancePrefix, 0) != 0)
      continue;
    const long pid = std::strtol(name.c_str() + kInstancePrefix.size(), nullptr, 10);
    if (pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH)
      ::rmdir(entry.path().c_str());
  }
}

} // namespace

TracefsProbe probeTracefs(bool mountIfNeeded) {
  TracefsProbe p;
  for (const char *root : kTracefsRoots)
    if (::access((fs::path(root) / "trace").c_str(), F_OK) == 0) {
      p.root = root;
      break;
    }
  if (p.root.empty()) {
    if (::geteuid() != 0 || !mountIfNeeded) {
      p.message = "tracefs is not mounted; as root: mount -t tracefs nodev /sys/kernel/tracing";
      return p;
    }
    // Left mounted afterwards: another session may be using it, and a mounted tracefs with no
    // events enabled changes nothing.
    if (::mount("nodev", kTracefsMountPoint, "tracefs", 0, nullptr) != 0) {
      p.message =
          std::string("mounting tracefs at /sys/kernel/tracing failed: ") + std::strerror(errno);
      return p;
    }
    p.root = kTracefsMountPoint;
    p.mountedByUs = true;
  }
  if (::access((p.root / "instances").c_str(), F_OK) != 0) {
    p.state = TracefsState::NoInstances;
    p.message = "this kernel's tracefs has no instances/ directory (Linux >= 3.10 needed)";
  } else if (::access((p.root / "instances").c_str(), W_OK) != 0 ||
             ::access((p.root / "trace").c_str(), R_OK) != 0) {
    p.state = TracefsState::NotPrivileged;
    p.message = "tracefs at " + p.root.string() + " is not writable: " + privilegeHint();
  } else if (::access((p.root / "events/kvm").c_str(), F_OK) != 0) {
    p.state = TracefsState::NoKvmEvents;
    p.message = "no kvm tracepoints in " + p.root.string() + "/events (is the kvm module loaded?)";
  } else {
    p.state = TracefsState::Usable;
    p.message = "tracefs usable at " + p.root.string() + (p.mountedByUs ? " (mounted by us)" : "");
  }
  return p;
}

std::vector<std::string> defaultKernelTraceEvents() {
  return {"kvm/kvm_exit", "kvmmmu/kvm_mmu_pagetable_walk", "kvmmmu/kvm_mmu_paging_element",
          "kvmmmu/kvm_mmu_walker_error"};
}

std::vector<pid_t> threadsOf(pid_t pid) {
  std::vector<pid_t> tids;
  std::error_code ec;
  for (const auto &e : fs::directory_iterator(fs::path("/proc") / std::to_string(pid) / "task", ec))
    if (const long tid = std::strtol(e.path().filename().c_str(), nullptr, 10); tid > 0)
      tids.push_back(static_cast<pid_t>(tid));
  return tids;
}

KernelTraceSession::~KernelTraceSession() { removeInstance(); }

bool KernelTraceSession::fail(std::string message) {
  error_ = std::move(message);
  removeInstance();
  return false;
}

bool KernelTraceSession::start(const Options &options) {
  if (active())
    return fail("a kernel trace session is already running");
  error_.clear();
  enabled_.clear();
  missing_.clear();
  probe_ = probeTracefs(true);
  if (!probe_.usable())
    return fail(probe_.message);

  const fs::path instances = probe_.root / "instances";
  removeStaleInstances(instances);
  static std::atomic<unsigned> sequence{0};
  const fs::path dir = instances / (std::string(kInstancePrefix) + std::to_string(::getpid()) +
                                    "-" + std::to_string(sequence++));
  if (::mkdir(dir.c_str(), 0755) != 0)
    return fail("cannot create ftrace instance " + dir.string() + ": " + std::strerror(errno));
  instance_ = dir;

  std::string err;
  if (!writeControl(dir / "tracing_on", "0", &err) ||
      !writeControl(dir / "buffer_size_kb", std::to_string(options.bufferKbPerCpu), &err))
    return fail(err);
  // When the buffer fills, keep the start of the run (the part a lesson explains) rather than
  // overwriting it with the end.
  writeControl(dir / "options/overwrite", "0");
  if (!options.pids.empty()) {
    std::string pids;
    for (pid_t pid : options.pids)
      pids += std::to_string(pid) + " ";
    if (!writeControl(dir / "set_event_pid", pids, &err))
      return fail(err);
    writeControl(dir / "options/event-fork", "1"); // vCPU threads created later count too
  }
  for (const std::string &event : options.events) {
    const fs::path enable = dir / "events" / event / "enable";
    if (::access(enable.c_str(), F_OK) != 0)
      missing_.push_back(event);
    else if (!writeControl(enable, "1", &err))
      return fail(err);
    else
      enabled_.push_back(event);
  }
  if (enabled_.empty())
    return fail("none of the requested tracepoints exists in this kernel");
  if (!writeControl(dir / "trace", "", &err) || !writeControl(dir / "tracing_on", "1", &err))
    return fail(err);
  return true;
}

std::optional<KernelTraceCapture> KernelTraceSession::stop() {
  if (!active()) {
    error_ = "no kernel trace session is running";
    return std::nullopt;
  }
  writeControl(instance_ / "tracing_on", "0");
  std::ifstream in(instance_ / "trace");
  if (!in) {
    fail("cannot read " + (instance_ / "trace").string());
    return std::nullopt;
  }
  KernelTraceCapture capture;
  for (std::string line; std::getline(in, line);)
    if (!line.empty() && line.front() != '#')
      capture.lines.push_back(std::move(line));
  in.close();
  capture.parsed = parseKernelTrace(capture.lines);
  capture.enabledEvents = enabled_;
  capture.missingEvents = missing_;
  removeInstance();
  return capture;
}

void KernelTraceSession::removeInstance() {
  if (instance_.empty())
    return;
  // Disabling first keeps rmdir from racing a tracepoint that is firing.
  writeControl(instance_ / "tracing_on", "0");
  writeControl(instance_ / "events/enable", "0");
  if (::rmdir(instance_.c_str()) != 0 && error_.empty())
    error_ = "cannot remove " + instance_.string() + ": " + std::strerror(errno);
  instance_.clear();
}

} // namespace ringside::kvm
