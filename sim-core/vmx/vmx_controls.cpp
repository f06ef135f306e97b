#include "vmx/vmx_controls.h"

#include "vmx/vmcs.h"

#include <array>

namespace ringside {
namespace {

// From ../shared/reference/vmx_exec_controls.json (pin/primary/secondary/tertiary) and the
// "VM_EXIT_CONTROLS bits" / "VM_ENTRY_CONTROLS bits" of vmx_constants.json; checked by tests.
constexpr std::array kControlBits = {
    VmxControlBit{"pin_based.ext_intr_mask", vmcs::PinBasedControls, 0},
    VmxControlBit{"pin_based.nmi_exiting", vmcs::PinBasedControls, 3},
    VmxControlBit{"pin_based.virtual_nmis", vmcs::PinBasedControls, 5},
    VmxControlBit{"pin_based.vmx_preemption_timer", vmcs::PinBasedControls, 6},
    VmxControlBit{"pin_based.posted_intr", vmcs::PinBasedControls, 7},
    VmxControlBit{"cpu_based.intr_window_exiting", vmcs::CpuBasedControls, 2},
    VmxControlBit{"cpu_based.use_tsc_offsetting", vmcs::CpuBasedControls, 3},
    VmxControlBit{"cpu_based.hlt_exiting", vmcs::CpuBasedControls, 7},
    VmxControlBit{"cpu_based.invlpg_exiting", vmcs::CpuBasedControls, 9},
    VmxControlBit{"cpu_based.mwait_exiting", vmcs::CpuBasedControls, 10},
    VmxControlBit{"cpu_based.rdpmc_exiting", vmcs::CpuBasedControls, 11},
    VmxControlBit{"cpu_based.rdtsc_exiting", vmcs::CpuBasedControls, 12},
    VmxControlBit{"cpu_based.cr3_load_exiting", vmcs::CpuBasedControls, 15},
    VmxControlBit{"cpu_based.cr3_store_exiting", vmcs::CpuBasedControls, 16},
    VmxControlBit{"cpu_based.activate_tertiary_controls", vmcs::CpuBasedControls, 17},
    VmxControlBit{"cpu_based.cr8_load_exiting", vmcs::CpuBasedControls, 19},
    VmxControlBit{"cpu_based.cr8_store_exiting", vmcs::CpuBasedControls, 20},
    VmxControlBit{"cpu_based.tpr_shadow", vmcs::CpuBasedControls, 21},
    VmxControlBit{"cpu_based.nmi_window_exiting", vmcs::CpuBasedControls, 22},
    VmxControlBit{"cpu_based.mov_dr_exiting", vmcs::CpuBasedControls, 23},
    VmxControlBit{"cpu_based.uncond_io_exiting", vmcs::CpuBasedControls, 24},
    VmxControlBit{"cpu_based.use_io_bitmaps", vmcs::CpuBasedControls, 25},
    VmxControlBit{"cpu_based.monitor_trap_flag", vmcs::CpuBasedControls, 27},
    VmxControlBit{"cpu_based.use_msr_bitmaps", vmcs::CpuBasedControls, 28},
    VmxControlBit{"cpu_based.monitor_exiting", vmcs::CpuBasedControls, 29},
    VmxControlBit{"cpu_based.pause_exiting", vmcs::CpuBasedControls, 30},
    VmxControlBit{"cpu_based.activate_secondary_controls", vmcs::CpuBasedControls, 31},
    VmxControlBit{"secondary_exec.virtualize_apic_accesses", vmcs::SecondaryControls, 0},
    VmxControlBit{"secondary_exec.enable_ept", vmcs::SecondaryControls, 1},
    VmxControlBit{"secondary_exec.desc", vmcs::SecondaryControls, 2},
    VmxControlBit{"secondary_exec.enable_rdtscp", vmcs::SecondaryControls, 3},
    VmxControlBit{"secondary_exec.virtualize_x2apic_mode", vmcs::SecondaryControls, 4},
    VmxControlBit{"secondary_exec.enable_vpid", vmcs::SecondaryControls, 5},
    VmxControlBit{"secondary_exec.wbinvd_exiting", vmcs::SecondaryControls, 6},
    VmxControlBit{"secondary_exec.unrestricted_guest", vmcs::SecondaryControls, 7},
    VmxControlBit{"secondary_exec.apic_register_virt", vmcs::SecondaryControls, 8},
    VmxControlBit{"secondary_exec.virtual_intr_delivery", vmcs::SecondaryControls, 9},
    VmxControlBit{"secondary_exec.pause_loop_exiting", vmcs::SecondaryControls, 10},
    VmxControlBit{"secondary_exec.rdrand_exiting", vmcs::SecondaryControls, 11},
    VmxControlBit{"secondary_exec.enable_invpcid", vmcs::SecondaryControls, 12},
    VmxControlBit{"secondary_exec.enable_vmfunc", vmcs::SecondaryControls, 13},
    VmxControlBit{"secondary_exec.shadow_vmcs", vmcs::SecondaryControls, 14},
    VmxControlBit{"secondary_exec.encls_exiting", vmcs::SecondaryControls, 15},
    VmxControlBit{"secondary_exec.rdseed_exiting", vmcs::SecondaryControls, 16},
    VmxControlBit{"secondary_exec.enable_pml", vmcs::SecondaryControls, 17},
    VmxControlBit{"secondary_exec.ept_violation_ve", vmcs::SecondaryControls, 18},
    VmxControlBit{"secondary_exec.pt_conceal_vmx", vmcs::SecondaryControls, 19},
    VmxControlBit{"secondary_exec.enable_xsaves", vmcs::SecondaryControls, 20},
    VmxControlBit{"secondary_exec.mode_based_ept_exec", vmcs::SecondaryControls, 22},
    VmxControlBit{"secondary_exec.pt_use_gpa", vmcs::SecondaryControls, 24},
    VmxControlBit{"secondary_exec.tsc_scaling", vmcs::SecondaryControls, 25},
    VmxControlBit{"secondary_exec.enable_usr_wait_pause", vmcs::SecondaryControls, 26},
    VmxControlBit{"secondary_exec.bus_lock_detection", vmcs::SecondaryControls, 30},
    VmxControlBit{"secondary_exec.notify_vm_exiting", vmcs::SecondaryControls, 31},
    VmxControlBit{"tertiary_exec.ipi_virt", vmcs::TertiaryControls, 4},
    VmxControlBit{"vm_exit.save_debug_controls", vmcs::ExitControls, 2},
    VmxControlBit{"vm_exit.host_addr_space_size", vmcs::ExitControls, 9},
    VmxControlBit{"vm_exit.load_ia32_perf_global_ctrl", vmcs::ExitControls, 12},
    VmxControlBit{"vm_exit.ack_intr_on_exit", vmcs::ExitControls, 15},
    VmxControlBit{"vm_exit.save_ia32_pat", vmcs::ExitControls, 18},
    VmxControlBit{"vm_exit.load_ia32_pat", vmcs::ExitControls, 19},
    VmxControlBit{"vm_exit.save_ia32_efer", vmcs::ExitControls, 20},
    VmxControlBit{"vm_exit.load_ia32_efer", vmcs::ExitControls, 21},
    VmxControlBit{"vm_exit.save_vmx_preemption_timer", vmcs::ExitControls, 22},
    VmxControlBit{"vm_exit.clear_bndcfgs", vmcs::ExitControls, 23},
    VmxControlBit{"vm_exit.pt_conceal_pip", vmcs::ExitControls, 24},
    VmxControlBit{"vm_exit.clear_ia32_rtit_ctl", vmcs::ExitControls, 25},
    VmxControlBit{"vm_entry.load_debug_controls", vmcs::EntryControls, 2},
    VmxControlBit{"vm_entry.ia32e_mode", vmcs::EntryControls, 9},
    VmxControlBit{"vm_entry.smm", vmcs::EntryControls, 10},
    VmxControlBit{"vm_entry.deact_dual_monitor", vmcs::EntryControls, 11},
    VmxControlBit{"vm_entry.load_ia32_perf_global_ctrl", vmcs::EntryControls, 13},
    VmxControlBit{"vm_entry.load_ia32_pat", vmcs::EntryControls, 14},
    VmxControlBit{"vm_entry.load_ia32_efer", vmcs::EntryControls, 15},
    VmxControlBit{"vm_entry.load_bndcfgs", vmcs::EntryControls, 16},
    VmxControlBit{"vm_entry.pt_conceal_pip", vmcs::EntryControls, 17},
    VmxControlBit{"vm_entry.load_ia32_rtit_ctl", vmcs::EntryControls, 18},
};

// default1 from vmx_constants.json ("*_ALWAYSON_WITHOUT_TRUE_MSR"). The TRUE MSRs let CR3
// load/store exiting (primary 15, 16) and save/load debug controls (exit 2, entry 2) be 0, as
// on Skylake; mayBeOne = default1 | every bit in the table above.
constexpr std::array kCapabilities = {
    ControlCapability{vmcs::PinBasedControls, 0x48d, "IA32_VMX_TRUE_PINBASED_CTLS", 0x00000016,
                      0x00000016, 0x000000ff},
    ControlCapability{vmcs::CpuBasedControls, 0x48e, "IA32_VMX_TRUE_PROCBASED_CTLS", 0x0401e172,
                      0x04006172, 0xfffbfffe},
    ControlCapability{vmcs::SecondaryControls, 0x48b, "IA32_VMX_PROCBASED_CTLS2", 0, 0, 0xc75fffff},
    ControlCapability{vmcs::ExitControls, 0x48f, "IA32_VMX_TRUE_EXIT_CTLS", 0x00036dff, 0x00036dfb,
                      0x03ffffff},
    ControlCapability{vmcs::EntryControls, 0x490, "IA32_VMX_TRUE_ENTRY_CTLS", 0x000011ff,
                      0x000011fb, 0x0007ffff},
};

} // namespace

std::span<const VmxControlBit> vmxControlBits() { return kControlBits; }

const VmxControlBit *findControlBit(std::string_view name) {
  for (const auto &b : kControlBits)
    if (b.name == name)
      return &b;
  return nullptr;
}

const VmxControlBit *findControlBit(uint32_t field, unsigned bit) {
  for (const auto &b : kControlBits)
    if (b.field == field && b.bit == bit)
      return &b;
  return nullptr;
}

uint32_t pinControls(const Vmcs &vmcs) { return uint32_t(vmcs.get(vmcs::PinBasedControls)); }
uint32_t primaryControls(const Vmcs &vmcs) { return uint32_t(vmcs.get(vmcs::CpuBasedControls)); }
uint32_t secondaryControls(const Vmcs &vmcs) {
  // SDM: with "activate secondary controls" = 0 the processor behaves as if they were all 0.
  if (!(primaryControls(vmcs) & ctl::ActivateSecondary))
    return 0;
  return uint32_t(vmcs.get(vmcs::SecondaryControls));
}

bool controlOn(const Vmcs &vmcs, const VmxControlBit &bit) {
  uint64_t word = 0;
  if (bit.field == vmcs::SecondaryControls)
    word = secondaryControls(vmcs);
  else if (bit.field == vmcs::TertiaryControls)
    word = primaryControls(vmcs) & ctl::ActivateTertiary ? vmcs.get(bit.field) : 0;
  else
    word = vmcs.get(bit.field);
  return (word & bit.mask()) != 0;
}

bool controlOn(const Vmcs &vmcs, std::string_view name) {
  const auto *b = findControlBit(name);
  return b && controlOn(vmcs, *b);
}

std::optional<ControlOverride> parseControlOverride(std::string_view text, std::string *error) {
  auto fail = [&](std::string msg) -> std::optional<ControlOverride> {
    if (error)
      *error = std::move(msg);
    return std::nullopt;
  };
  auto eq = text.find('=');
  if (eq == std::string_view::npos)
    return fail("expected NAME=0|1, e.g. cpu_based.hlt_exiting=0: '" + std::string(text) + "'");
  auto name = text.substr(0, eq);
  auto value = text.substr(eq + 1);
  const auto *bit = findControlBit(name);
  if (!bit)
    return fail("unknown VMX control '" + std::string(name) + "'");
  if (value == "1" || value == "on")
    return ControlOverride{bit, true};
  if (value == "0" || value == "off")
    return ControlOverride{bit, false};
  return fail("value of " + std::string(name) + " must be 0 or 1, not '" + std::string(value) +
              "'");
}

std::string formatControlOverride(const ControlOverride &o) {
  return std::string(o.bit ? o.bit->name : "?") + (o.value ? "=1" : "=0");
}

void applyControlOverride(Vmcs &vmcs, const ControlOverride &o) {
  if (!o.bit)
    return;
  uint64_t word = vmcs.get(o.bit->field);
  vmcs.vmwrite(o.bit->field, o.value ? word | o.bit->mask() : word & ~o.bit->mask());
}

std::span<const ControlCapability> controlCapabilities() { return kCapabilities; }

const ControlCapability *findControlCapability(uint32_t field) {
  for (const auto &c : kCapabilities)
    if (c.field == field)
      return &c;
  return nullptr;
}

uint32_t adjustControls(uint32_t field, uint32_t value) {
  const auto *c = findControlCapability(field);
  return c ? (value | c->mustBeOne) & c->mayBeOne : value;
}

bool controlsValid(uint32_t field, uint32_t value) { return adjustControls(field, value) == value; }

} // namespace ringside
