#pragma once
// x86-64 Linux system call numbers → names (arch/x86/entry/syscalls/syscall_64.tbl), for the
// syscalls a container's workload makes and ptrace reports. Numbers not in the table read as
// "syscall_N".
#include <string>

namespace ringside::containers {

std::string syscallName(long nr);

/// "EAGAIN" for 11, … ("E?" plus the number for one not in the table).
std::string errnoName(int err);

} // namespace ringside::containers
