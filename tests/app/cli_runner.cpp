#include "cli_runner.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace ringside::test {
namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void fail(const std::string &what) {
  throw std::runtime_error("cli_runner: " + what + ": " + std::strerror(errno));
}

/// A pipe whose ends close themselves, so an early throw leaks no descriptor.
struct Pipe {
  int fd[2] = {-1, -1};
  Pipe() {
    if (pipe2(fd, O_CLOEXEC) != 0)
      fail("pipe2");
  }
  ~Pipe() {
    closeEnd(0);
    closeEnd(1);
  }
  void closeEnd(int i) {
    if (fd[i] >= 0)
      close(fd[i]);
    fd[i] = -1;
  }
};

/// Reads both pipes until both reach EOF or the deadline passes; returns false on the deadline.
bool drain(Pipe &out, Pipe &err, CliResult &result, Clock::time_point deadline) {
  std::string *sinks[2] = {&result.out, &result.err};
  Pipe *pipes[2] = {&out, &err};
  while (pipes[0]->fd[0] >= 0 || pipes[1]->fd[0] >= 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0)
      return false;
    pollfd fds[2];
    for (int i = 0; i < 2; ++i)
      fds[i] = {pipes[i]->fd[0], POLLIN, 0}; // poll ignores negative descriptors
    const int ready = poll(fds, 2, static_cast<int>(left));
    if (ready < 0 && errno != EINTR)
      fail("poll");
    for (int i = 0; ready > 0 && i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0)
        continue;
      char buf[65536];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0)
        sinks[i]->append(buf, static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR)
        pipes[i]->closeEnd(0);
    }
  }
  return true;
}

} // namespace

std::filesystem::path cliPath() { return RINGSIDE_CLI; }

CliResult runCli(const std::vector<std::string> &args, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  const std::string program = cliPath().string();
  std::vector<char *> argv;
  argv.push_back(const_cast<char *>(program.c_str()));
  for (const auto &arg : args)
    argv.push_back(const_cast<char *>(arg.c_str()));
  argv.push_back(nullptr);

  Pipe out, err;
  // posix_spawn rather than fork: the test binary may have threads, and spawn is safe with them.
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out.fd[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err.fd[1], 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    errno = rc;
    fail("posix_spawn " + program);
  }
  out.closeEnd(1); // only the child writes: EOF arrives when it exits
  err.closeEnd(1);

  CliResult result;
  if (!drain(out, err, result, deadline)) {
    result.timedOut = true;
    kill(pid, SIGKILL);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      fail("waitpid");
  if (WIFEXITED(status)) {
    result.exited = true;
    result.exitCode = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

std::vector<std::string> splitLines(const std::string &text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos)
      end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

} // namespace ringside::test
