// The defaults of the snapshot methods: a backend without the `snapshots` capability says so.
#include "backend/backend.h"
#include "errors.h"

namespace ringside {

snapshot::MachineState Backend::saveState() const {
  throw InputError("the " + name() + " backend cannot take snapshots");
}

void Backend::restoreState(const snapshot::MachineState &, const RunConfig &) {
  throw InputError("the " + name() + " backend cannot restore snapshots");
}

RunResult Backend::resume(uint64_t) {
  throw InputError("the " + name() + " backend cannot continue a stopped guest");
}

void Backend::setDirtyLogging(bool) {
  throw InputError("the " + name() + " backend has no dirty-page log");
}

std::vector<uint64_t> Backend::fetchDirtyLog() {
  throw InputError("the " + name() + " backend has no dirty-page log");
}

} // namespace ringside
