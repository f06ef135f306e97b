#pragma once
// The entry state of docs/platform.md ("Entry state"), set on a KVM vCPU with
// KVM_SET_SREGS/KVM_SET_REGS. KVM needs no boot stub: it accepts the final state directly.
#include "guest/image.h"
#include "kvm_vm.h"

#include <cstdint>

namespace ringside::kvm {

/// A segment register loaded from a platform GDT descriptor, as the CPU would cache it.
kvm_segment segmentFromDescriptor(uint16_t selector, uint64_t descriptor);

/// Puts vCPU 0 in the entry state for `mode` with RIP/IP = `entry`. For protected and long the
/// platform tables must already be in RAM (writeFirmwareTables).
void setEntryState(KvmVm &vm, EntryMode mode, uint64_t entry);

} // namespace ringside::kvm
