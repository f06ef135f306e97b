// The one place that knows every backend (it links both libraries).
#include "backend/backend.h"
#include "emu/emu_backend.h"
#include "errors.h"
#include "kvm_backend.h"

namespace ringside {

std::unique_ptr<Backend> createBackend(const std::string &name) {
  if (name == "emu")
    return std::make_unique<emu::EmuBackend>();
  if (name == "kvm")
    return kvm::createKvmBackend();
  if (name == "auto") // kvm when this host can run it, else emu
    return kvm::probeHost().usable() ? kvm::createKvmBackend()
                                     : std::make_unique<emu::EmuBackend>();
  throw InputError("unknown backend '" + name + "' (expected emu, kvm or auto)");
}

} // namespace ringside
