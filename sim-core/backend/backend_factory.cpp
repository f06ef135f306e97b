#include "backend/backend.h"
#include "emu/emu_backend.h"
#include "errors.h"

#include <array>

namespace ringside {

const char *gprName(unsigned index) {
  static constexpr std::array<const char *, 16> kNames = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp",
                                                          "rsi", "rdi", "r8",  "r9",  "r10", "r11",
                                                          "r12", "r13", "r14", "r15"};
  return index < kNames.size() ? kNames[index] : "?";
}

std::unique_ptr<Backend> createBackend(const std::string &name) {
  if (name == "emu")
    return std::make_unique<emu::EmuBackend>();
  if (name == "kvm")
    throw InputError("the kvm backend is not built yet (issue 3); use --backend emu");
  throw InputError("unknown backend '" + name + "' (expected emu or kvm)");
}

} // namespace ringside
