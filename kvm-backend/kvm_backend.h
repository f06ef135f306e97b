#pragma once
// The KVM backend: the same guests on /dev/kvm (issue 3).
#include "backend/backend.h"

#include <memory>

namespace ringside::kvm {

/// Creates the KVM backend. Throws InputError, with a message that says how to fix it, when
/// this host cannot run it (no /dev/kvm, no permission, …).
std::unique_ptr<Backend> createKvmBackend();

} // namespace ringside::kvm
