#include "guest/nasm_assembler.h"

#include "errors.h"
#include "guest/include_jail.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace ringside {
namespace {

namespace fs = std::filesystem;

/// A private directory for nasm's outputs, removed on every path out of assembleWithNasm.
class TempDir {
public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "ringside-nasm-XXXXXX").string();
    if (!mkdtemp(pattern.data()))
      throw InputError("cannot create a temporary directory for nasm: " +
                       std::string(std::strerror(errno)));
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;
  const fs::path &path() const { return path_; }

private:
  fs::path path_;
};

std::string readText(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string missingNasmMessage(const std::string &nasmPath) {
  return "nasm is needed to assemble .asm guests but was not found at '" + nasmPath +
         "'; install it with: sudo apt-get install nasm";
}

/// nasm prints `path:line: error: msg` (or `fatal:` for missing includes); the first one is
/// the cause, later ones are often knock-on effects.
std::string firstDiagnostic(const std::string &diagnostics) {
  std::istringstream lines(diagnostics);
  std::string line, firstNonEmpty;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    if (line.find(": error: ") != std::string::npos || line.find(": fatal: ") != std::string::npos)
      return line;
    if (firstNonEmpty.empty() && !line.empty())
      firstNonEmpty = line;
  }
  return firstNonEmpty;
}

/// Runs nasm without a shell; its stdout and stderr go to `diagPath`. Returns the exit status.
int runNasm(const std::string &nasmPath, const std::vector<std::string> &args,
            const fs::path &diagPath) {
  std::vector<char *> argv;
  argv.push_back(const_cast<char *>(nasmPath.c_str()));
  for (const auto &arg : args)
    argv.push_back(const_cast<char *>(arg.c_str()));
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, diagPath.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, STDERR_FILENO, STDOUT_FILENO);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, nasmPath.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc == ENOENT)
    throw InputError(missingNasmMessage(nasmPath));
  if (rc != 0)
    throw InputError("cannot run nasm '" + nasmPath + "': " + std::strerror(rc));

  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR)
      throw InputError("waiting for nasm failed: " + std::string(std::strerror(errno)));
  }
  if (WIFSIGNALED(status))
    throw InputError("nasm was killed by signal " + std::to_string(WTERMSIG(status)));
  return WEXITSTATUS(status);
}

} // namespace

const char *defaultNasmPath() { return RINGSIDE_NASM; }

NasmOutput assembleWithNasm(const std::string &sourcePath, const std::string &nasmPath,
                            const std::optional<std::string> &includeJail) {
  if (access(nasmPath.c_str(), X_OK) != 0)
    throw InputError(missingNasmMessage(nasmPath));

  TempDir tmp;
  const fs::path binPath = tmp.path() / "guest.bin";
  const fs::path lstPath = tmp.path() / "guest.lst";
  const fs::path diagPath = tmp.path() / "nasm.err";
  // nasm has no `--`; a leading "./" keeps a name like "-x.asm" from being read as an option.
  const std::string source = sourcePath.starts_with('-') ? "./" + sourcePath : sourcePath;
  // %include resolves against the current directory; also search the source's own directory.
  std::string includeDir = fs::path(source).parent_path().string();
  includeDir = includeDir.empty() ? "./" : includeDir + "/";

  std::vector<std::string> args = {"-f", "bin",     "-o", binPath.string(), "-l", lstPath.string(),
                                   "-I", includeDir};
  const fs::path depPath = tmp.path() / "guest.dep";
  if (includeJail)
    args.insert(args.end(), {"-MD", depPath.string(), "-MT", "guest"});
  args.push_back(source);
  int exitCode = runNasm(nasmPath, args, diagPath);
  if (exitCode != 0) {
    std::string diagnostic = firstDiagnostic(readText(diagPath));
    if (diagnostic.empty())
      diagnostic =
          "nasm failed with exit code " + std::to_string(exitCode) + " on '" + sourcePath + "'";
    throw InputError(diagnostic);
  }

  if (includeJail)
    checkNasmDependencies(source, readText(depPath), *includeJail);
  NasmOutput out;
  std::string bin = readText(binPath);
  out.bytes.assign(bin.begin(), bin.end());
  out.listing = readText(lstPath);
  return out;
}

} // namespace ringside
