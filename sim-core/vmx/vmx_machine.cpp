#include "vmx/vmx_machine.h"

#include "arch/exit_reasons.h"
#include "vmx/vm_instruction_errors.h"
#include "vmx/vmentry_checks.h"
#include "vmx/vmx_controls.h"

namespace ringside {
namespace {

// Numbers the SDM gives that vm_instruction_errors.h does not name.
constexpr uint32_t kErrVmclearInvalidAddress = 2, kErrVmclearVmxonPointer = 3,
                   kErrVmresumeAfterVmxoff = 6, kErrVmptrldInvalidAddress = 9,
                   kErrVmptrldVmxonPointer = 10, kErrVmptrldBadRevision = 11, kErrVmxonInRoot = 15,
                   kErrMovSsBlocking = 26, kErrInvalidOperand = 28;
constexpr uint16_t kExitMsrLoadFail = 34;
constexpr uint32_t kEntryFailureBit = 1u << 31;
// Arithmetic flags the VMsucceed/VMfail conventions set or clear: CF PF AF ZF SF OF.
constexpr uint64_t kCf = 1, kZf = 1u << 6, kStatusFlags = 0x8d5;
constexpr uint64_t kSecondaryShadowVmcs = 1u << 14;

bool pointerValid(uint64_t pa) { return (pa & 0xfff) == 0 && physAddrValid(pa); }

VmxResult status(VmxStatus s, std::string_view why = {}) {
  VmxResult r;
  r.status = s;
  r.why = why;
  return r;
}

} // namespace

Vmcs *VmxMachine::currentVmcs() {
  auto it = regions_.find(current_);
  return it == regions_.end() ? nullptr : &it->second.vmcs;
}

const Vmcs *VmxMachine::vmcsAt(uint64_t gpa) const {
  auto it = regions_.find(gpa);
  return it == regions_.end() ? nullptr : &it->second.vmcs;
}

std::optional<VmxMachine::LaunchState> VmxMachine::launchState(uint64_t gpa) const {
  auto it = regions_.find(gpa);
  if (it == regions_.end())
    return std::nullopt;
  return it->second.launch;
}

void VmxMachine::setListener(Listener l) {
  listener_ = std::move(l);
  for (auto &[gpa, r] : regions_)
    r.vmcs.setListener([this, gpa = gpa](const VmcsEvent &e) {
      if (listener_)
        listener_(gpa, e);
    });
}

VmxMachine::Region &VmxMachine::region(uint64_t gpa) {
  auto [it, fresh] = regions_.try_emplace(gpa);
  // A region first named here starts "clear", as a zeroed page would read under KVM's vmcs12.
  if (fresh)
    it->second.vmcs.setListener([this, gpa](const VmcsEvent &e) {
      if (listener_)
        listener_(gpa, e);
    });
  return it->second;
}

uint32_t VmxMachine::readRevision(uint64_t gpa) {
  uint32_t rev = 0;
  if (!cpu_.readPhys(gpa, &rev, sizeof rev))
    rev = ~0u; // nothing behind the address: the bus reads all ones
  return rev;
}

std::optional<VmxResult> VmxMachine::commonChecks(GuestOp op) {
  VmxCpuMode m = cpu_.mode();
  if (!inVmx_)
    return status(VmxStatus::Ud, "not in VMX operation");
  if (m == VmxCpuMode::Real || m == VmxCpuMode::Virtual8086 || m == VmxCpuMode::Compatibility)
    return status(VmxStatus::Ud, "real, virtual-8086 or compatibility mode");
  if (nonRoot_) {
    auto r = status(VmxStatus::NestedExit, "VMX instruction in VMX non-root operation");
    r.exitReason = guestOpInfo(op).reason;
    return r;
  }
  if (!(cpu_.cr4() & vmx_cap::Cr4Vmxe))
    return status(VmxStatus::Ud, "CR4.VMXE = 0");
  if (cpu_.cpl() > 0)
    return status(VmxStatus::Gp, "CPL > 0");
  return std::nullopt;
}

VmxResult VmxMachine::succeed(uint64_t value) {
  cpu_.setRflags(cpu_.rflags() & ~kStatusFlags);
  auto r = status(VmxStatus::Succeed);
  r.value = value;
  return r;
}

VmxResult VmxMachine::failInvalid(std::string_view why) {
  cpu_.setRflags((cpu_.rflags() & ~kStatusFlags) | kCf);
  return status(VmxStatus::FailInvalid, why);
}

VmxResult VmxMachine::fail(uint32_t error, std::string_view why) {
  Vmcs *v = currentVmcs();
  if (!v)
    return failInvalid(why);
  v->set(vmcs::VmInstructionError, error);
  cpu_.setRflags((cpu_.rflags() & ~kStatusFlags) | kZf);
  auto r = status(VmxStatus::FailValid, why);
  r.error = error;
  return r;
}

VmxResult VmxMachine::vmxon(uint64_t addr) {
  VmxCpuMode m = cpu_.mode();
  if (m == VmxCpuMode::Real || m == VmxCpuMode::Virtual8086 || m == VmxCpuMode::Compatibility)
    return status(VmxStatus::Ud, "real, virtual-8086 or compatibility mode");
  if (!(cpu_.cr4() & vmx_cap::Cr4Vmxe))
    return status(VmxStatus::Ud, "CR4.VMXE = 0");
  if (inVmx_) {
    if (nonRoot_) {
      auto r = status(VmxStatus::NestedExit, "VMX instruction in VMX non-root operation");
      r.exitReason = guestOpInfo(GuestOp::Vmxon).reason;
      return r;
    }
    if (cpu_.cpl() > 0)
      return status(VmxStatus::Gp, "CPL > 0");
    return fail(kErrVmxonInRoot, "VMXON executed in VMX root operation");
  }
  if (cpu_.cpl() > 0)
    return status(VmxStatus::Gp, "CPL > 0");
  uint64_t cr0 = cpu_.cr0(), cr4 = cpu_.cr4();
  if ((cr0 & vmx_cap::Cr0Fixed0) != vmx_cap::Cr0Fixed0 || (cr0 & ~vmx_cap::Cr0Fixed1) ||
      (cr4 & vmx_cap::Cr4Fixed0) != vmx_cap::Cr4Fixed0 || (cr4 & ~vmx_cap::Cr4Fixed1))
    return status(VmxStatus::Gp, "CR0 or CR4 not supported in VMX operation (FIXED0/FIXED1)");
  uint64_t fc = cpu_.featureControl();
  if (!(fc & feature_control::Lock) || !(fc & feature_control::VmxOutsideSmx))
    return status(VmxStatus::Gp, "IA32_FEATURE_CONTROL: lock or VMX-outside-SMX bit clear");
  if (!pointerValid(addr))
    return failInvalid("VMXON pointer not 4 KiB aligned or beyond MAXPHYADDR");
  uint32_t rev = readRevision(addr);
  if ((rev & 0x7fffffff) != vmx_cap::VmcsRevisionId || (rev >> 31))
    return failInvalid("VMXON region revision identifier differs from IA32_VMX_BASIC");
  inVmx_ = true;
  vmxon_ = addr;
  current_ = kNoVmcs;
  return succeed();
}

VmxResult VmxMachine::vmxoff() {
  if (auto r = commonChecks(GuestOp::Vmxoff))
    return *r;
  inVmx_ = false;
  vmxon_ = current_ = kNoVmcs;
  // A VMCS left launched across VMXOFF may hold state only the old VMX operation knew.
  for (auto &[gpa, r] : regions_)
    if (r.launch == LaunchState::Launched)
      r.vmxoffAfter = true;
  return succeed();
}

VmxResult VmxMachine::vmclear(uint64_t addr) {
  if (auto r = commonChecks(GuestOp::Vmclear))
    return *r;
  if (!pointerValid(addr))
    return fail(kErrVmclearInvalidAddress, "VMCLEAR: address not 4 KiB aligned or too wide");
  if (addr == vmxon_)
    return fail(kErrVmclearVmxonPointer, "VMCLEAR with the VMXON pointer");
  Region &r = region(addr);
  r.launch = LaunchState::Clear;
  r.vmxoffAfter = false;
  if (addr == current_)
    current_ = kNoVmcs;
  return succeed();
}

VmxResult VmxMachine::vmptrld(uint64_t addr) {
  if (auto r = commonChecks(GuestOp::Vmptrld))
    return *r;
  if (!pointerValid(addr))
    return fail(kErrVmptrldInvalidAddress, "VMPTRLD: address not 4 KiB aligned or too wide");
  if (addr == vmxon_)
    return fail(kErrVmptrldVmxonPointer, "VMPTRLD with the VMXON pointer");
  uint32_t rev = readRevision(addr);
  bool shadow = rev >> 31;
  const auto *cap2 = findControlCapability(vmcs::SecondaryControls);
  bool shadowSupported = cap2 && (cap2->mayBeOne & kSecondaryShadowVmcs);
  if ((rev & 0x7fffffff) != vmx_cap::VmcsRevisionId || (shadow && !shadowSupported))
    return fail(kErrVmptrldBadRevision, "VMPTRLD: revision identifier differs from IA32_VMX_BASIC");
  region(addr).shadow = shadow;
  current_ = addr;
  return succeed();
}

VmxResult VmxMachine::vmptrst(uint64_t dest) {
  if (auto r = commonChecks(GuestOp::Vmptrst))
    return *r;
  uint64_t ptr = current_;
  cpu_.writePhys(dest, &ptr, sizeof ptr);
  return succeed(ptr);
}

VmxResult VmxMachine::vmread(uint64_t encoding) {
  if (auto r = commonChecks(GuestOp::Vmread))
    return *r;
  Vmcs *v = currentVmcs();
  if (!v)
    return failInvalid("no current VMCS");
  if (encoding >> 32)
    return fail(vmx_error::UnsupportedVmcsComponent, "VMREAD: encoding bits 63:32 not 0");
  auto a = v->vmread(uint32_t(encoding));
  if (!a.ok())
    return fail(a.error, "VMREAD from an unsupported VMCS component");
  return succeed(longMode() ? a.value : a.value & 0xffffffff);
}

VmxResult VmxMachine::vmwrite(uint64_t encoding, uint64_t value) {
  if (auto r = commonChecks(GuestOp::Vmwrite))
    return *r;
  Vmcs *v = currentVmcs();
  if (!v)
    return failInvalid("no current VMCS");
  if (encoding >> 32)
    return fail(vmx_error::UnsupportedVmcsComponent, "VMWRITE: encoding bits 63:32 not 0");
  auto a = v->vmwrite(uint32_t(encoding), longMode() ? value : value & 0xffffffff);
  if (!a.ok())
    return fail(a.error, a.error == vmx_error::VmwriteReadOnlyComponent
                             ? "VMWRITE to a read-only VMCS component"
                             : "VMWRITE to an unsupported VMCS component");
  return succeed();
}

VmxResult VmxMachine::enter(bool launch) {
  if (auto r = commonChecks(launch ? GuestOp::Vmlaunch : GuestOp::Vmresume))
    return *r;
  auto it = regions_.find(current_);
  if (it == regions_.end())
    return failInvalid("no current VMCS");
  Region &reg = it->second;
  Vmcs &v = reg.vmcs;
  if (reg.shadow)
    return failInvalid("the current VMCS is a shadow VMCS");
  if (cpu_.blockedByMovSs())
    return fail(kErrMovSsBlocking, "VM entry with events blocked by MOV SS");
  if (launch && reg.launch != LaunchState::Clear)
    return fail(vmx_error::VmlaunchNonclearVmcs, "VMLAUNCH with a non-clear VMCS");
  if (!launch && reg.launch != LaunchState::Launched)
    return fail(vmx_error::VmresumeNonlaunchedVmcs, "VMRESUME with a non-launched VMCS");
  if (!launch && reg.vmxoffAfter)
    return fail(kErrVmresumeAfterVmxoff, "VMRESUME after VMXOFF");

  EntryCheckInput in{&v, cpu_.mode() == VmxCpuMode::Long64, vmxon_, &cpu_};
  if (auto bad = checkVmEntry(in)) {
    if (bad->area == EntryCheckArea::Controls)
      return fail(vmx_error::EntryInvalidControlField, bad->check);
    if (bad->area == EntryCheckArea::HostState)
      return fail(vmx_error::EntryInvalidHostStateField, bad->check);
    // SDM 26.8: guest-state failure behaves like a VM exit with bit 31 of the reason set;
    // the processor loads host state but saves no guest state.
    auto r = status(VmxStatus::EntryFailed, bad->check);
    r.exitReason = exit_reason::InvalidState;
    v.set(vmcs::ExitReason, kEntryFailureBit | exit_reason::InvalidState);
    v.set(vmcs::ExitQualification, bad->qualification);
    // Not a vectored event: the interruption information is invalid (SDM 27.2.2), which
    // Bochs writes as 0.
    v.set(vmcs::ExitIntrInfo, 0);
    r.transition = loadHostState(v);
    return r;
  }

  VmxTransition t = loadGuestState(v);
  // SDM 26.4: the VM-entry MSR-load list, 16 bytes per entry (index, reserved, value).
  uint64_t count = v.get(vmcs_state::EntryMsrLoadCount);
  uint64_t list = v.get(vmcs_state::EntryMsrLoadAddr);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t entry[2] = {~0ull, ~0ull};
    bool read = cpu_.readPhys(list + 16 * i, entry, sizeof entry);
    auto index = uint32_t(entry[0]);
    // FS/GS base belong in the guest-state area; x2APIC MSRs and SMM_MONITOR_CTL may not be
    // loaded this way; bits 63:32 of the first quadword are reserved.
    bool forbidden =
        index == 0xc0000100 || index == 0xc0000101 || (index >> 8) == 0x8 || index == 0x9b;
    if (!read || (entry[0] >> 32) != 0 || forbidden) {
      auto r = status(VmxStatus::EntryFailed, "VM-entry MSR-load entry rejected");
      r.exitReason = kExitMsrLoadFail;
      v.set(vmcs::ExitReason, kEntryFailureBit | kExitMsrLoadFail);
      v.set(vmcs::ExitQualification, i + 1); // 1-based number of the failing entry
      v.set(vmcs::ExitIntrInfo, 0);
      r.transition = loadHostState(v);
      return r;
    }
    t.msrs.push_back({index, entry[1]});
  }

  if (launch)
    reg.launch = LaunchState::Launched;
  nonRoot_ = true;
  auto r = status(VmxStatus::Entered);
  r.transition = std::move(t);
  return r;
}

std::optional<VmxTransition> VmxMachine::vmExit(const ExitInfo &info,
                                                const VmxRegisterState &guest) {
  Vmcs *v = currentVmcs();
  if (!nonRoot_ || !v)
    return std::nullopt;
  writeExitInfo(*v, info);
  saveGuestState(*v, guest);
  // Every VM exit clears the valid bit of VM-entry interruption information: the event was
  // delivered, or is reported in the IDT-vectoring information.
  v->set(vmcs::EntryIntrInfo, v->get(vmcs::EntryIntrInfo) & ~(1ull << 31));
  VmxTransition t = loadHostState(*v);
  uint64_t count = v->get(vmcs_state::ExitMsrLoadCount);
  uint64_t list = v->get(vmcs_state::ExitMsrLoadAddr);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t entry[2] = {0, 0};
    if (cpu_.readPhys(list + 16 * i, entry, sizeof entry))
      t.msrs.push_back({uint32_t(entry[0]), entry[1]});
  }
  nonRoot_ = false;
  return t;
}

VmxResult VmxMachine::invept(uint64_t type, uint64_t descLow, uint64_t descHigh) {
  if (auto r = commonChecks(GuestOp::Invept))
    return *r;
  (void)descHigh; // bits 127:64 of the INVEPT descriptor are ignored
  if (!longMode())
    type &= 0xffffffff;
  if (type > 31 || !((vmx_cap::InveptTypes >> type) & 1))
    return fail(kErrInvalidOperand, "INVEPT type not supported");
  if (type == 1 && !eptPointerValid(descLow))
    return fail(kErrInvalidOperand, "INVEPT single-context with an invalid EPTP");
  auto r = succeed();
  r.flush = TlbFlush{true, uint32_t(type), type == 1 ? descLow : 0, 0, 0};
  return r;
}

VmxResult VmxMachine::invvpid(uint64_t type, uint64_t descLow, uint64_t descHigh) {
  if (auto r = commonChecks(GuestOp::Invvpid))
    return *r;
  if (!longMode())
    type &= 0xffffffff;
  if (type > 31 || !((vmx_cap::InvvpidTypes >> type) & 1))
    return fail(kErrInvalidOperand, "INVVPID type not supported");
  if (descLow >> 16)
    return fail(kErrInvalidOperand, "INVVPID descriptor bits 63:16 not 0");
  auto vpid = uint16_t(descLow);
  if (type != 2 && vpid == 0)
    return fail(kErrInvalidOperand, "INVVPID with VPID 0");
  if (type == 0 && !isCanonical(descHigh))
    return fail(kErrInvalidOperand, "INVVPID individual-address with a non-canonical address");
  auto r = succeed();
  r.flush =
      TlbFlush{false, uint32_t(type), 0, type == 2 ? uint16_t(0) : vpid, type == 0 ? descHigh : 0};
  return r;
}

} // namespace ringside
