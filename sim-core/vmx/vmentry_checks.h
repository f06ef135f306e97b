#pragma once
// The checks VMLAUNCH/VMRESUME make before entering the guest (SDM vol. 3C 26.2 "Checks on VMX
// Controls and Host-State Area" and 26.3.1 "Checks on the Guest State Area"), as one ordered
// table. A failed control check is VMfailValid(7), a host-state one VMfailValid(8), a
// guest-state one a VM-entry failure exit (reason 33, qualification as the SDM gives).
// The subset modelled, and what is left out, is listed at the top of vmentry_checks.cpp.
#include "vmx/vmcs.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace ringside {

class VmxCpu;

enum class EntryCheckArea : uint8_t { Controls, HostState, GuestState };

struct EntryCheckInput {
  const Vmcs *vmcs = nullptr;
  bool cpuIa32e = true;      ///< the guest hypervisor runs in IA-32e mode (EFER.LMA = 1)
  uint64_t vmxonPointer = 0; ///< for the VMCS-link-pointer check
  VmxCpu *cpu = nullptr;     ///< memory behind the VMCS link pointer; may be null
};

struct EntryCheckFailure {
  EntryCheckArea area;
  std::string_view check;     ///< the SDM rule, in words
  uint64_t qualification = 0; ///< guest-state failures: 0, or 4 for the VMCS link pointer
};

/// The first failing check in SDM order (controls, host state, guest state), or nullopt.
std::optional<EntryCheckFailure> checkVmEntry(const EntryCheckInput &in);

/// Helpers the checks use, exposed for tests.
bool isCanonical(uint64_t linear);
bool physAddrValid(uint64_t pa); ///< within MAXPHYADDR
bool patValid(uint64_t pat);     ///< every byte a valid memory type (0, 1, 4, 5, 6, 7)
/// EPTP the model accepts: memory type UC or WB, 4-level walk, bits 11:7 and beyond MAXPHYADDR 0.
bool eptPointerValid(uint64_t eptp);

} // namespace ringside
