#pragma once
// What this host's /dev/kvm is and what it can show: Intel VMX, AMD SVM, PVM (software KVM
// with shadow paging, what the CI machines have) or nothing usable. The CLI (`ringside info`,
// `--backend auto`), the grader and the views read this instead of guessing.
#include "backend/backend.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ringside::kvm {

enum class HostStatus : uint8_t { Usable, Missing, PermissionDenied, Broken };
enum class Flavour : uint8_t { Vmx, Svm, Pvm, Unknown };

const char *hostStatusName(HostStatus status);
/// "vmx", "svm", "pvm", "unknown".
const char *flavourId(Flavour flavour);
/// For people: "Intel VMX (hardware)", "PVM (software, shadow paging)" …
const char *flavourName(Flavour flavour);

/// One KVM_CHECK_EXTENSION answer.
struct CapValue {
  const char *name; ///< without the KVM_CAP_ prefix
  int number;
  int value; ///< 0: absent; >0: present (some caps encode a mask or size)
};

struct HostProbe {
  HostStatus status = HostStatus::Missing;
  std::string reason; ///< why KVM cannot be used and how to fix it (empty when usable)
  int apiVersion = 0;
  Flavour flavour = Flavour::Unknown;
  std::vector<CapValue> caps;
  bool kvmExitTraceReadable = false; ///< tracefs kvm:kvm_exit can be enabled and read
  bool mmuWalkTraceReadable = false; ///< tracefs kvmmmu:kvm_mmu_paging_element likewise

  bool usable() const { return status == HostStatus::Usable; }
  /// The value of a probed capability by name ("SYNC_REGS"), 0 when absent or unknown.
  int cap(const char *name) const;
};

/// Probes /dev/kvm, /sys/module, /proc/cpuinfo and tracefs. Cheap (a few syscalls); never throws.
HostProbe probeHost();

/// What the KVM backend can show on a host like this one (Backend::capabilities()).
Capabilities capabilitiesFor(const HostProbe &probe);

} // namespace ringside::kvm
