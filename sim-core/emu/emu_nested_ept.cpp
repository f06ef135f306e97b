// The EPT of a guest-written hypervisor, on the emu backend's side: which EPT pointer the
// nested guest runs under, and the VM exit an EPT violation or misconfiguration of its
// accesses is (to the guest hypervisor, at its HOST_RIP). The translation itself is the
// shadow MMU's (shadow_mmu_nested_ept.cpp).
#include "emu/emu_backend.h"

#include "vmx/vmx_controls.h"

namespace ringside::emu {

std::optional<uint64_t> EmuBackend::nestedEptPointer() {
  const Vmcs *v = nonRoot() ? nestedVmcs() : nullptr;
  if (!v || !(v->get(vmcs::CpuBasedControls) & ctl::ActivateSecondary) ||
      !(v->get(vmcs::SecondaryControls) & ctl::EnableEpt))
    return std::nullopt;
  // VM entry checked the pointer (vmentry_checks.cpp): a bad one never gets here.
  return v->get(vmcs::EptPointer);
}

bool EmuBackend::applyNestedEpt(uint64_t guestCr0) {
  const std::optional<uint64_t> eptp = nestedEptPointer();
  if (!mmu_->setNestedEpt(eptp)) {
    finish(StopKind::Error, 0,
           "the guest hypervisor enables EPT for its nested guest: not modelled under --mmu " +
               config_.mmu + " (use --mmu native)");
    return false;
  }
  if (eptp && !(guestCr0 & 1)) {
    // Unicorn cannot run real mode on shadow page tables (docs/emu-backend.md).
    mmu_->setNestedEpt(std::nullopt);
    finish(StopKind::Error, 0,
           "the nested guest runs in real mode with EPT on (unrestricted guest): not modelled "
           "on the emu backend");
    return false;
  }
  return true;
}

bool EmuBackend::nestedEptExit(const ShadowMmu::FaultOutcome &fault) {
  ExitInfo info;
  info.reason = fault.eptExit;
  info.qualification = fault.eptQualification;
  info.guestPhysical = fault.eptGpa;
  info.guestLinear = fault.eptGla;
  return nestedExit(info);
}

} // namespace ringside::emu
