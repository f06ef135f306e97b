#include "grade_pool.h"

#include "backend/backend.h"
#include "errors.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ringside::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

/// A result larger than this is not a result: the child is killed.
constexpr size_t kMaxResultBytes = 16u << 20;
constexpr size_t kMaxStderrBytes = 4096;

#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer reserves terabytes of shadow address space: no address-space limit fits it.
constexpr bool kAddressSpaceLimit = false;
#else
constexpr bool kAddressSpaceLimit = true;
#endif

bool unshareNetwork() { return ::unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0; }

void limit(int resource, rlim_t soft, rlim_t hard) {
  struct rlimit l {
    soft, hard
  };
  ::setrlimit(resource, &l);
}

struct Child {
  size_t index = 0;
  pid_t pid = -1;
  int outFd = -1, errFd = -1;
  std::string out, err;
  Clock::time_point start, deadline;
  std::string killedFor; ///< why the parent killed it, empty when it did not
  bool exited = false;
  int status = 0;
};

/// The child's whole life: grade, print the result on stdout, exit. It runs in a fork of this
/// (single-threaded) process, so it needs no exec, no spec parsing and no library start-up.
[[noreturn]] void childMain(const grading::LabSpec &spec, const grading::SubmissionFiles &files,
                            const std::string &backend) {
  const grading::SubmissionResult result = grading::gradeSubmission(spec, files, backend);
  const std::string text =
      grading::toJson(result).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(STDOUT_FILENO, text.data() + written, text.size() - written);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      ::_exit(3);
    written += static_cast<size_t>(n);
  }
  ::_exit(0);
}

Child spawn(const PoolConfig &config, const grading::LabSpec &spec,
            const grading::SubmissionFiles &files, size_t index, const std::string &workDir) {
  std::error_code ec;
  fs::remove_all(workDir, ec);
  fs::create_directories(workDir, ec);
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0)
    return {};
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]), ::close(out[1]);
    return {};
  }
  const auto &lim = spec.limits;
  const rlim_t cpu = static_cast<rlim_t>(lim.cpuSeconds);
  Child c;
  c.index = index;
  c.start = Clock::now();
  c.deadline = c.start + std::chrono::duration_cast<Clock::duration>(
                             std::chrono::duration<double>(wallBudgetSeconds(spec)));
  const pid_t parent = ::getpid();
  c.pid = ::fork();
  if (c.pid == 0) {
    // A child outlives no parent: a killed batch leaves no graders running (it resumes).
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
      ::_exit(124);
    ::setpgid(0, 0);
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, STDIN_FILENO);
    ::dup2(out[1], STDOUT_FILENO);
    ::dup2(err[1], STDERR_FILENO);
    ::close_range(3, ~0u, 0); // the journal and other children's pipes stay with the parent
    if (::chdir(workDir.c_str()) != 0)
      ::_exit(126);
    // nasm and anything else that makes temporary files makes them here, inside --out.
    ::setenv("TMPDIR", workDir.c_str(), 1);
    limit(RLIMIT_CPU, cpu, cpu + 1); // SIGXCPU at the limit (a clear reason), SIGKILL a second on
    if (kAddressSpaceLimit)
      limit(RLIMIT_AS, static_cast<rlim_t>(lim.memoryMiB) << 20,
            static_cast<rlim_t>(lim.memoryMiB) << 20);
    limit(RLIMIT_FSIZE, static_cast<rlim_t>(lim.fileMiB) << 20,
          static_cast<rlim_t>(lim.fileMiB) << 20);
    limit(RLIMIT_CORE, 0, 0);
    if (config.isolateNetwork && !unshareNetwork())
      ::_exit(125);
    childMain(spec, files, config.backend);
  }
  ::close(out[1]);
  ::close(err[1]);
  if (c.pid < 0) {
    ::close(out[0]), ::close(err[0]);
    return c;
  }
  ::setpgid(c.pid, c.pid); // also here: no race with the kill below
  c.outFd = out[0];
  c.errFd = err[0];
  return c;
}

/// Reads what is there; closes the fd at end of file. Returns false when the cap was hit.
bool drain(int &fd, std::string &into, size_t cap) {
  char buffer[65536];
  ssize_t n = ::read(fd, buffer, sizeof buffer);
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return true;
  if (n <= 0) {
    ::close(fd);
    fd = -1;
    return true;
  }
  const size_t room = cap > into.size() ? cap - into.size() : 0;
  into.append(buffer, std::min(room, static_cast<size_t>(n)));
  return static_cast<size_t>(n) <= room;
}

void kill(Child &c, const std::string &why) {
  if (c.killedFor.empty())
    c.killedFor = why;
  ::kill(-c.pid, SIGKILL);
  ::kill(c.pid, SIGKILL);
}

std::string signalName(int sig) {
  const char *abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string firstLine(const std::string &text) {
  std::string line = text.substr(0, text.find('\n'));
  return line.size() > 300 ? line.substr(0, 300) + "…" : line;
}

grading::SubmissionResult finish(Child &c, const grading::LabSpec &spec,
                                 const grading::SubmissionFiles &files, const PoolConfig &config) {
  if (c.outFd >= 0)
    ::close(c.outFd), c.outFd = -1;
  if (c.errFd >= 0)
    ::close(c.errFd), c.errFd = -1;
  grading::SubmissionResult r;
  bool ok = false;
  if (c.killedFor.empty() && WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0) {
    try {
      r = grading::resultFromJson(nlohmann::json::parse(c.out));
      ok = r.submission == files.name;
    } catch (const nlohmann::json::exception &) {
      ok = false;
    }
  }
  if (!ok)
    r = grading::failedResult(spec, files.name, grading::Status::Error,
                              childFailureReason(c.status, c.killedFor, c.err, spec));
  r.backend = config.backend;
  r.version = grading::ringsideVersion();
  r.seconds = std::chrono::duration<double>(Clock::now() - c.start).count();
  return r;
}

/// Runs one HLT in this process so every fork starts with the engine's code and data paged in.
void warmUp(const std::string &backend) {
  try {
    GuestImage image;
    image.entry = 0x7C00;
    image.segments.push_back({0x7C00, {0xF4}, 1});
    auto b = createBackend(backend);
    b->load(image, RunConfig{});
    b->run();
  } catch (const InputError &) {
    // The children will say what is wrong, per submission.
  }
}

} // namespace

NetworkIsolation isolateNetwork() {
  if (::unshare(CLONE_NEWNET) == 0)
    return {true, false, "isolated: the batch runs in an empty network namespace"};
  // Can a child do it with a user namespace of its own? Ask one.
  pid_t pid = ::fork();
  if (pid == 0)
    ::_exit(::unshare(CLONE_NEWUSER | CLONE_NEWNET) == 0 ? 0 : 1);
  int status = 1;
  while (pid > 0 && ::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0)
    return {true, true, "isolated: each submission runs in a network namespace of its own"};
  return {false, false,
          "not isolated: this host permits no network namespace (no CAP_SYS_ADMIN, user "
          "namespaces off)"};
}

double wallBudgetSeconds(const grading::LabSpec &spec) {
  if (spec.limits.wallSeconds > 0)
    return spec.limits.wallSeconds;
  // Each case may use its whole timeout; building (nasm) and starting get 10 s.
  return 10.0 + static_cast<double>(spec.cases.size()) * (spec.budgets.timeoutSeconds + 1.0);
}

std::string childFailureReason(int status, const std::string &killedFor,
                               const std::string &stderrText, const grading::LabSpec &spec) {
  const std::string said = firstLine(stderrText);
  if (!killedFor.empty())
    return killedFor;
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    if (sig == SIGXCPU)
      return "CPU-time limit of " + std::to_string(static_cast<long>(spec.limits.cpuSeconds)) +
             " s exceeded";
    if (sig == SIGXFSZ)
      return "file-size limit of " + std::to_string(spec.limits.fileMiB) + " MiB exceeded";
    if (stderrText.find("bad_alloc") != std::string::npos)
      return "memory limit of " + std::to_string(spec.limits.memoryMiB) + " MiB exceeded";
    return "the grading engine crashed (" + signalName(sig) + ")" +
           (said.empty() ? "" : ": " + said);
  }
  if (WIFEXITED(status)) {
    const int code = WEXITSTATUS(status);
    if (code == 125)
      return "could not isolate the network for the grading process";
    if (code == 126 || code == 127)
      return "could not start the grading process (exit " + std::to_string(code) + ")";
    if (code == 0)
      return "the grading process printed no valid result";
    return "the grading process failed (exit " + std::to_string(code) + ")" +
           (said.empty() ? "" : ": " + said);
  }
  return "the grading process ended unexpectedly";
}

void runPool(const PoolConfig &config, const grading::LabSpec &spec,
             const std::vector<grading::SubmissionFiles> &jobs,
             const std::function<void(size_t, grading::SubmissionResult)> &done,
             const std::function<void()> &settled) {
  warmUp(config.backend);
  std::vector<Child> running;
  std::vector<unsigned> freeSlots;
  const unsigned slots = std::max(1u, config.jobs);
  for (unsigned s = slots; s-- > 0;)
    freeSlots.push_back(s);
  std::vector<unsigned> childSlot;
  size_t next = 0;
  // Starts children while there are free slots; a child that cannot start is an error result.
  std::vector<std::pair<size_t, grading::SubmissionResult>> finished;
  auto refill = [&] {
    while (running.size() < slots && next < jobs.size()) {
      const unsigned slot = freeSlots.back();
      freeSlots.pop_back();
      const std::string workDir = config.workRoot + "/slot-" + std::to_string(slot);
      Child c = spawn(config, spec, jobs[next], next, workDir);
      if (c.pid < 0) {
        grading::SubmissionResult r = grading::failedResult(
            spec, jobs[next].name, grading::Status::Error,
            std::string("cannot start a grading process: ") + std::strerror(errno));
        r.backend = config.backend;
        r.version = grading::ringsideVersion();
        freeSlots.push_back(slot);
        finished.emplace_back(next++, std::move(r));
        continue;
      }
      running.push_back(std::move(c));
      childSlot.push_back(slot);
      ++next;
    }
  };
  while (next < jobs.size() || !running.empty()) {
    refill();
    std::vector<pollfd> fds;
    auto now = Clock::now();
    auto wake = now + std::chrono::milliseconds(200);
    for (auto &c : running) {
      // Its pipes are closed, so it is exiting: look again soon rather than at the next event.
      if (c.outFd < 0 && c.errFd < 0)
        wake = std::min(wake, now + std::chrono::milliseconds(1));
      if (c.outFd >= 0)
        fds.push_back({c.outFd, POLLIN, 0});
      if (c.errFd >= 0)
        fds.push_back({c.errFd, POLLIN, 0});
      wake = std::min(wake, c.deadline);
    }
    const auto waitMs = std::chrono::duration_cast<std::chrono::milliseconds>(wake - now).count();
    if (!fds.empty())
      ::poll(fds.data(), fds.size(), static_cast<int>(std::max<long long>(0, waitMs)) + 1);
    else
      ::usleep(2000);
    for (size_t i = 0; i < running.size();) {
      Child &c = running[i];
      for (const auto &p : fds) {
        if (!(p.revents & (POLLIN | POLLHUP | POLLERR)))
          continue;
        if (p.fd == c.outFd && !drain(c.outFd, c.out, kMaxResultBytes))
          kill(c, "the grading process wrote more than 16 MiB of results");
        else if (p.fd == c.errFd)
          drain(c.errFd, c.err, kMaxStderrBytes);
      }
      if (Clock::now() > c.deadline && c.killedFor.empty())
        kill(c, "wall-clock budget of " +
                    std::to_string(static_cast<long>(wallBudgetSeconds(spec))) +
                    " s exceeded (killed)");
      if (!c.exited) {
        // A killed child is reaped at once (a grandchild may still hold its pipes).
        const bool block = !c.killedFor.empty();
        if ((c.outFd < 0 && c.errFd < 0) || block) {
          pid_t got = ::waitpid(c.pid, &c.status, block ? 0 : WNOHANG);
          c.exited = got == c.pid;
        }
      }
      if (c.exited) {
        ::kill(-c.pid, SIGKILL); // anything left in its process group (nasm)
        const size_t index = c.index;
        grading::SubmissionResult r = finish(c, spec, jobs[index], config);
        freeSlots.push_back(childSlot[i]);
        std::error_code ec;
        fs::remove_all(config.workRoot + "/slot-" + std::to_string(childSlot[i]), ec);
        running.erase(running.begin() + static_cast<long>(i));
        childSlot.erase(childSlot.begin() + static_cast<long>(i));
        finished.emplace_back(index, std::move(r));
        continue;
      }
      ++i;
    }
    // Keep the slots busy first; the journal's fsync can wait for the next child to start.
    refill();
    for (auto &[index, result] : finished)
      done(index, std::move(result));
    if (!finished.empty() && settled)
      settled();
    finished.clear();
  }
}

} // namespace ringside::cli
