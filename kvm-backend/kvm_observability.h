#pragma once
// What the KVM backend cannot show on a given host for a given run: the summary's
// "unobservable" list, so a missing event kind reads as "not observable here", never as zero.
#include "backend/backend.h"
#include "kvm_host.h"

#include <string>
#include <vector>

namespace ringside::kvm {

/// `kernelTraceFailure`: why a requested --kernel-trace session could not run (empty: it ran,
/// or it was not requested).
std::vector<Unobservable> unobservableFor(Flavour flavour, const RunConfig &config,
                                          const std::string &kernelTraceFailure = {});

} // namespace ringside::kvm
