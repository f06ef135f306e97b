#include "kvm_backend.h"

#include "errors.h"

namespace ringside::kvm {

std::unique_ptr<Backend> createKvmBackend() {
  throw InputError("the kvm backend is not built yet (issue 3); use --backend emu");
}

} // namespace ringside::kvm
