#include "containers/syscall_names.h"

#include <array>
#include <cerrno>
#include <utility>

namespace ringside::containers {
namespace {

// The syscalls glibc issues for what the workloads do (and what a libc start-up may add).
constexpr std::array<std::pair<long, const char *>, 76> kSyscalls = {{
    {0, "read"},
    {1, "write"},
    {2, "open"},
    {3, "close"},
    {4, "stat"},
    {5, "fstat"},
    {7, "poll"},
    {8, "lseek"},
    {9, "mmap"},
    {10, "mprotect"},
    {11, "munmap"},
    {12, "brk"},
    {13, "rt_sigaction"},
    {14, "rt_sigprocmask"},
    {15, "rt_sigreturn"},
    {16, "ioctl"},
    {17, "pread64"},
    {20, "writev"},
    {21, "access"},
    {22, "pipe"},
    {24, "sched_yield"},
    {28, "madvise"},
    {29, "shmget"},
    {32, "dup"},
    {33, "dup2"},
    {34, "pause"},
    {35, "nanosleep"},
    {39, "getpid"},
    {41, "socket"},
    {56, "clone"},
    {57, "fork"},
    {58, "vfork"},
    {59, "execve"},
    {60, "exit"},
    {61, "wait4"},
    {62, "kill"},
    {63, "uname"},
    {72, "fcntl"},
    {79, "getcwd"},
    {83, "mkdir"},
    {84, "rmdir"},
    {87, "unlink"},
    {89, "readlink"},
    {96, "gettimeofday"},
    {98, "getrusage"},
    {101, "ptrace"},
    {102, "getuid"},
    {104, "getgid"},
    {105, "setuid"},
    {106, "setgid"},
    {107, "geteuid"},
    {108, "getegid"},
    {110, "getppid"},
    {117, "setresuid"},
    {119, "setresgid"},
    {157, "prctl"},
    {158, "arch_prctl"},
    {165, "mount"},
    {166, "umount2"},
    {170, "sethostname"},
    {186, "gettid"},
    {200, "tkill"},
    {202, "futex"},
    {217, "getdents64"},
    {228, "clock_gettime"},
    {230, "clock_nanosleep"},
    {231, "exit_group"},
    {234, "tgkill"},
    {247, "waitid"},
    {257, "openat"},
    {262, "newfstatat"},
    {272, "unshare"},
    {293, "pipe2"},
    {302, "prlimit64"},
    {318, "getrandom"},
    {435, "clone3"},
}};

constexpr std::array<std::pair<int, const char *>, 20> kErrnos = {{
    {EPERM, "EPERM"},   {ENOENT, "ENOENT"},   {ESRCH, "ESRCH"},   {EINTR, "EINTR"},
    {EIO, "EIO"},       {EBADF, "EBADF"},     {ECHILD, "ECHILD"}, {EAGAIN, "EAGAIN"},
    {ENOMEM, "ENOMEM"}, {EACCES, "EACCES"},   {EFAULT, "EFAULT"}, {EBUSY, "EBUSY"},
    {EEXIST, "EEXIST"}, {ENOTDIR, "ENOTDIR"}, {EINVAL, "EINVAL"}, {ENOSPC, "ENOSPC"},
    {EROFS, "EROFS"},   {ENOSYS, "ENOSYS"},   {EUSERS, "EUSERS"}, {EOPNOTSUPP, "EOPNOTSUPP"},
}};

} // namespace

std::string syscallName(long nr) {
  for (auto [n, name] : kSyscalls)
    if (n == nr)
      return name;
  return "syscall_" + std::to_string(nr);
}

std::string errnoName(int err) {
  for (auto [n, name] : kErrnos)
    if (n == err)
      return name;
  return "E?" + std::to_string(err);
}

} // namespace ringside::containers
