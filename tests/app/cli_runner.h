#pragma once
// Runs the built `ringside` binary as a child process, the way a student or a script would, so the
// end-to-end tests see exactly what the shell sees: both streams, the exit status, any signal.
#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace ringside::test {

struct CliResult {
  bool exited = false; ///< the child exited normally (exitCode is meaningful)
  int exitCode = -1;
  int signal = 0;        ///< the signal that killed the child, 0 when it exited
  bool timedOut = false; ///< the runner's time limit was hit and the child was killed
  std::string out;       ///< everything written to stdout
  std::string err;       ///< everything written to stderr
};

/// The `ringside` binary under test (RINGSIDE_CLI).
std::filesystem::path cliPath();

/// Runs `ringside ARGS…` with stdin from /dev/null; kills it with SIGKILL after `limit`.
CliResult runCli(const std::vector<std::string> &args,
                 std::chrono::milliseconds limit = std::chrono::seconds(60));

/// The lines of `text` (without their '\n'); a final line without '\n' counts too.
std::vector<std::string> splitLines(const std::string &text);

} // namespace ringside::test
