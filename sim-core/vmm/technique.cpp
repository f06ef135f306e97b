#include "vmm/technique.h"

#include <array>

namespace ringside {
namespace {

constexpr std::array kTechniques = {
    TechniqueInfo{Technique::Native, "native", "native", true,
                  "the guest alone on the machine at ring 0: nothing intercepts it"},
    TechniqueInfo{Technique::Trap, "trap", "trap-and-emulate", true,
                  "deprivileged guest kernel; privileged instructions trap to the VMM"},
    TechniqueInfo{Technique::Bt, "bt", "binary translation", true,
                  "guest kernel code translated block by block (VMware)"},
    TechniqueInfo{Technique::Pv, "pv", "paravirtualization", true,
                  "the guest asks the VMM with hypercalls through a hypercall page (Xen)"},
    TechniqueInfo{Technique::Vtx, "vtx", "hardware-assisted (VT-x)", true,
                  "VMX non-root operation; the VMCS decides what exits (KVM)"},
};

} // namespace

std::span<const TechniqueInfo> techniques() { return kTechniques; }

const TechniqueInfo &techniqueInfo(Technique t) { return kTechniques[static_cast<size_t>(t)]; }

std::optional<Technique> findTechnique(std::string_view name) {
  for (const auto &t : kTechniques)
    if (t.name == name)
      return t.technique;
  return std::nullopt;
}

} // namespace ringside
