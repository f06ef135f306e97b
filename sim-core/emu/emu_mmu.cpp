// The emu backend's side of `--mmu shadow|ept` (the MMU side is shadow_mmu_model.cpp): the
// options taken from the run configuration and the modelled VMCS, the emulation of guest
// page-table writes under shadow paging, and the EPT exits of device accesses.
#include "emu/emu_backend.h"

#include "errors.h"
#include "vmx/vmx_controls.h"

namespace ringside::emu {

MmuOptions EmuBackend::mmuOptions() const {
  MmuOptions o;
  if (config_.mmu == "shadow")
    o.mode = MmuMode::Shadow;
  else if (config_.mmu == "ept")
    o.mode = MmuMode::Ept;
  else if (config_.mmu != "native" && !config_.mmu.empty())
    throw InputError("--mmu: unknown memory model '" + config_.mmu + "' (native, shadow or ept)");
  // The TLB keeps a guest's entries across exits only when the VMCS enables VPIDs and gives
  // the guest a nonzero one (VPID 0 is the host's).
  const bool secondary = vmcs_.get(vmcs::CpuBasedControls) & ctl::ActivateSecondary;
  const bool vpid = secondary && (vmcs_.get(vmcs::SecondaryControls) & ctl::EnableVpid);
  o.vpid = vpid ? static_cast<uint16_t>(vmcs_.get(vmcs::VirtualProcessorId)) : 0;
  return o;
}

std::map<std::string, uint64_t> EmuBackend::mmuCounters() const {
  return mmu_ ? mmu_->modelCounters() : std::map<std::string, uint64_t>{};
}

bool EmuBackend::emulateTableWrite(uint64_t cr2, Access access) {
  // Shadow paging: the guest wrote one of its own page tables, which the VMM keeps
  // write-protected. The instruction runs once with the page writable; the MMU then performs
  // what it changed through the VMM's model (shadow_mmu_model.cpp, endTableWrite).
  const uint64_t pc = linearPc();
  auto d = decodeAt(pc);
  if (!d || !mmu_->beginTableWrite(cr2, access)) {
    finish(StopKind::Error, 0,
           "internal: cannot emulate the guest's page-table write at cr2=" + std::to_string(cr2));
    return false;
  }
  const bool ok = stepNative(pc, d->insn.length);
  mmu_->endTableWrite();
  if (!ok && pending_.kind == Pending::Kind::Intercept) {
    // The next instruction is itself intercepted (an INVLPG after the PTE store): its hook
    // stopped the step there, which is where the run loop would handle it.
    syncInstructionCount(pending_.linear);
    return handleIntercept(pending_.linear);
  }
  return resolveStep(ok);
}

void EmuBackend::modelledEptExit(uint16_t reason, uint64_t qualification, uint64_t gpa) {
  ExitInfo info;
  info.reason = reason;
  info.qualification = reason == 48 ? qualification : 0;
  info.guestPhysical = gpa;
  record(ExitEvent{info.reason, info.qualification, reg(UC_X86_REG_RIP), 0});
  writeExitInfo(vmcs_, info);
  mmu_->vmTransition(false);
  record(EntryEvent{reg(UC_X86_REG_RIP), false, 0});
  mmu_->vmTransition(false);
}

void EmuBackend::deviceAccess(uint64_t gpa, bool write) {
  // Under EPT a device page has no EPT mapping: the access exits (called from Unicorn's MMIO
  // callback, mid-block, so Unicorn's own mappings are left alone until the next fault).
  uint64_t qualification = 0;
  if (uint16_t reason = mmu_->eptDeviceAccess(gpa, write, qualification))
    modelledEptExit(reason, qualification, gpa);
}

} // namespace ringside::emu
