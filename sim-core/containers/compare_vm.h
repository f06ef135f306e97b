#pragma once
// The same small workload as a container and as a guest: the container's system calls (to the
// shared kernel, seen by ptrace) beside the guest's VM exits (to the VMM, on the emu backend).
#include "trace/events.h"

#include <string>
#include <vector>

namespace ringside::containers {

/// Runs vm_workload.h's guest on the emu backend. Its events (modelled) are returned.
std::vector<Event> runVmWorkload();

struct SideBySideRow {
  std::string container, vm;
};

/// One row per step: the container's syscalls after its set-up (consecutive repeats folded)
/// beside the guest's VM exits (the same).
std::vector<SideBySideRow> sideBySide(const std::vector<Event> &container,
                                      const std::vector<Event> &vm);

/// System calls the workload made after its set-up, and VM exits of the guest.
uint64_t workloadSyscalls(const std::vector<Event> &container);
uint64_t vmExits(const std::vector<Event> &vm);

} // namespace ringside::containers
