#include "vmx/vmx_profile.h"

#include "vmx/vmx_bitmaps.h"
#include "vmx/vmx_controls.h"

#include <array>

namespace ringside {
namespace {

// What Linux 6.12 KVM (arch/x86/kvm/vmx/vmx.c: setup_vmcs_config, vmx_exec_control,
// vmx_secondary_exec_control, init_vmcs) sets for a simple guest on a host with EPT.
constexpr std::array kKvmControls = {
    ProfileControl{"pin_based.ext_intr_mask", "host interrupts must reach the host, not the guest"},
    ProfileControl{"pin_based.nmi_exiting", "host NMIs (perf, watchdog) belong to the host"},
    ProfileControl{"pin_based.virtual_nmis", "lets KVM track guest NMI blocking for injection"},
    ProfileControl{"cpu_based.hlt_exiting", "a halted vCPU should give its host CPU back"},
    ProfileControl{"cpu_based.use_tsc_offsetting", "RDTSC runs natively, shifted by TSC_OFFSET"},
    ProfileControl{"cpu_based.mwait_exiting",
                   "MWAIT would idle the host CPU (KVM treats it as NOP)"},
    ProfileControl{"cpu_based.monitor_exiting", "pairs with MWAIT exiting"},
    ProfileControl{"cpu_based.rdpmc_exiting", "counters are virtualized by KVM's PMU"},
    ProfileControl{"cpu_based.mov_dr_exiting", "debug registers are switched lazily on first use"},
    ProfileControl{"cpu_based.uncond_io_exiting",
                   "all ports are emulated; KVM stopped using I/O bitmaps"},
    ProfileControl{"cpu_based.use_msr_bitmaps", "MSR accesses are filtered by the bitmap page"},
    ProfileControl{"cpu_based.tpr_shadow",
                   "CR8/TPR accesses go to the virtual-APIC page, not exits"},
    ProfileControl{"cpu_based.activate_secondary_controls", "EPT, VPID and friends live there"},
    ProfileControl{"secondary_exec.enable_ept", "the guest owns its page tables; no shadow paging"},
    ProfileControl{"secondary_exec.enable_vpid", "TLB entries are tagged: no flush on every entry"},
    ProfileControl{"secondary_exec.unrestricted_guest",
                   "real mode and unpaged protected mode run natively"},
    ProfileControl{"secondary_exec.enable_rdtscp", "the guest's CPUID says RDTSCP exists"},
    ProfileControl{"secondary_exec.enable_invpcid", "the guest's CPUID says INVPCID exists"},
    ProfileControl{"secondary_exec.wbinvd_exiting", "no non-coherent DMA: WBINVD need not run"},
    ProfileControl{"vm_exit.save_debug_controls", "KVM requires it: DR7/DEBUGCTL saved on exit"},
    ProfileControl{"vm_exit.host_addr_space_size", "the host is 64-bit"},
    ProfileControl{"vm_exit.ack_intr_on_exit", "KVM reads the vector from the exit information"},
    ProfileControl{"vm_exit.save_ia32_pat", "guest and host PAT differ"},
    ProfileControl{"vm_exit.load_ia32_pat", "guest and host PAT differ"},
    ProfileControl{"vm_exit.load_ia32_efer", "guest and host EFER differ (LMA/NX)"},
    ProfileControl{"vm_entry.load_debug_controls", "KVM requires it: DR7/DEBUGCTL loaded on entry"},
    ProfileControl{"vm_entry.load_ia32_pat", "guest and host PAT differ"},
    ProfileControl{"vm_entry.load_ia32_efer", "guest and host EFER differ (LMA/NX)"},
};

// CR0: KVM_POSSIBLE_CR0_GUEST_BITS = TS | WP are guest-owned (WP only with EPT).
// CR4: KVM_POSSIBLE_CR4_GUEST_BITS = PVI TSD DE PGE PCE OSFXSR OSXMMEXCPT FSGSBASE.
constexpr uint64_t kCr0GuestOwnedEpt = (1u << 3) | (1u << 16);
constexpr uint64_t kCr0GuestOwnedShadow = 1u << 3;
constexpr uint64_t kCr4GuestOwnedEpt = 0x1078e;
constexpr uint64_t kCr4GuestOwnedShadow = 0x1078e & ~0x80ull; // PGE flushes shadow TLBs
constexpr uint64_t kExceptionsEpt = (1u << 1) | (1u << 6) | (1u << 17) | (1u << 18);

constexpr std::array kKvmFields = {
    ProfileField{vmcs::VirtualProcessorId, 1, "KVM hands out VPIDs from 1 (0 is the host's)"},
    ProfileField{vmcs::ExceptionBitmap, kExceptionsEpt,
                 "#DB #UD #AC #MC: debugging, emulation, split-lock and machine checks"},
    ProfileField{vmcs::PfErrorCodeMask, 0, "with EPT #PF is not intercepted at all"},
    ProfileField{vmcs::PfErrorCodeMatch, 0, "with EPT #PF is not intercepted at all"},
    ProfileField{vmcs::Cr3TargetCount, 0, "no CR3-load exiting, so no target list"},
    ProfileField{vmcs::Cr0GuestHostMask, ~kCr0GuestOwnedEpt, "host owns all CR0 bits but TS, WP"},
    ProfileField{vmcs::Cr4GuestHostMask, ~kCr4GuestOwnedEpt,
                 "host owns CR4 bits that change paging, VMX or features"},
    ProfileField{vmcs::MsrBitmap, vmx_page::MsrBitmap, "the model-owned MSR bitmap page"},
    ProfileField{vmcs::TscOffset, 0, "the guest TSC starts where the model's does"},
    ProfileField{0x2800, ~0ull, "VMCS_LINK_POINTER must be all ones without VMCS shadowing"},
};

// Shadow paging (KVM with ept=0): the monitor keeps its own page tables for the guest, so
// it must see every CR3 load, every INVLPG and every #PF.
constexpr std::array kShadowControls = {
    ProfileControl{"pin_based.ext_intr_mask", "host interrupts must reach the host"},
    ProfileControl{"pin_based.nmi_exiting", "host NMIs belong to the host"},
    ProfileControl{"pin_based.virtual_nmis", "guest NMI blocking tracked for injection"},
    ProfileControl{"cpu_based.hlt_exiting", "a halted vCPU gives its host CPU back"},
    ProfileControl{"cpu_based.use_tsc_offsetting", "RDTSC runs natively with an offset"},
    ProfileControl{"cpu_based.invlpg_exiting", "INVLPG must drop the shadow entry too"},
    ProfileControl{"cpu_based.mwait_exiting", "MWAIT would idle the host CPU"},
    ProfileControl{"cpu_based.monitor_exiting", "pairs with MWAIT exiting"},
    ProfileControl{"cpu_based.rdpmc_exiting", "counters are virtualized"},
    ProfileControl{"cpu_based.cr3_load_exiting", "a new guest CR3 means switching shadow tables"},
    ProfileControl{"cpu_based.cr3_store_exiting",
                   "the guest must read its own CR3, not the shadow's"},
    ProfileControl{"cpu_based.mov_dr_exiting", "debug registers are switched lazily"},
    ProfileControl{"cpu_based.uncond_io_exiting", "all ports are emulated"},
    ProfileControl{"cpu_based.use_msr_bitmaps", "MSR accesses are filtered by the bitmap"},
    ProfileControl{"cpu_based.tpr_shadow", "CR8 goes to the virtual-APIC page"},
    ProfileControl{"cpu_based.activate_secondary_controls", "for VPID, RDTSCP, WBINVD exiting"},
    ProfileControl{"secondary_exec.enable_vpid", "TLB tagging still helps without EPT"},
    ProfileControl{"secondary_exec.enable_rdtscp", "the guest's CPUID says RDTSCP exists"},
    ProfileControl{"secondary_exec.wbinvd_exiting", "WBINVD need not run"},
    ProfileControl{"vm_exit.save_debug_controls", "required by KVM"},
    ProfileControl{"vm_exit.host_addr_space_size", "the host is 64-bit"},
    ProfileControl{"vm_exit.ack_intr_on_exit", "vector read from the exit information"},
    ProfileControl{"vm_exit.save_ia32_pat", "guest and host PAT differ"},
    ProfileControl{"vm_exit.load_ia32_pat", "guest and host PAT differ"},
    ProfileControl{"vm_exit.load_ia32_efer", "guest and host EFER differ"},
    ProfileControl{"vm_entry.load_debug_controls", "required by KVM"},
    ProfileControl{"vm_entry.load_ia32_pat", "guest and host PAT differ"},
    ProfileControl{"vm_entry.load_ia32_efer", "guest and host EFER differ"},
};

constexpr std::array kShadowFields = {
    ProfileField{vmcs::VirtualProcessorId, 1, "VPIDs from 1"},
    ProfileField{vmcs::ExceptionBitmap, kExceptionsEpt | (1u << 14),
                 "as kvm-like plus #PF: guest faults must be checked against shadow tables"},
    ProfileField{vmcs::PfErrorCodeMask, 0, "mask 0 = match 0: every #PF exits"},
    ProfileField{vmcs::PfErrorCodeMatch, 0, "mask 0 = match 0: every #PF exits"},
    ProfileField{vmcs::Cr3TargetCount, 0, "every CR3 load exits"},
    ProfileField{vmcs::Cr0GuestHostMask, ~kCr0GuestOwnedShadow,
                 "CR0.WP changes shadow-PTE protections, so the host owns it"},
    ProfileField{vmcs::Cr4GuestHostMask, ~kCr4GuestOwnedShadow,
                 "CR4.PGE flushes shadow TLB entries, so the host owns it"},
    ProfileField{vmcs::MsrBitmap, vmx_page::MsrBitmap, "the model-owned MSR bitmap page"},
    ProfileField{vmcs::TscOffset, 0, "the guest TSC starts where the model's does"},
    ProfileField{0x2800, ~0ull, "VMCS_LINK_POINTER must be all ones"},
};

constexpr std::array kProfiles = {
    VmxProfile{"kvm-like", "what Linux KVM sets for a simple guest on a host with EPT",
               kKvmControls, kKvmFields, false, true},
    VmxProfile{"shadow-paging", "KVM with ept=0: shadow page tables, CR3/INVLPG/#PF intercepted",
               kShadowControls, kShadowFields, false, true},
};

constexpr std::array kControlFields = {vmcs::PinBasedControls, vmcs::CpuBasedControls,
                                       vmcs::SecondaryControls, vmcs::ExitControls,
                                       vmcs::EntryControls};

} // namespace

std::span<const VmxProfile> vmxProfiles() { return kProfiles; }

const VmxProfile *findVmxProfile(std::string_view name) {
  for (const auto &p : kProfiles)
    if (p.name == name)
      return &p;
  return nullptr;
}

const VmxProfile &defaultVmxProfile() { return kProfiles[0]; }

void applyVmxProfile(Vmcs &vmcs, const VmxProfile &profile) {
  for (uint32_t field : kControlFields) {
    uint32_t word = 0;
    for (const auto &c : profile.controls) {
      const auto *bit = findControlBit(c.control);
      if (bit && bit->field == field)
        word |= uint32_t(bit->mask());
    }
    vmcs.vmwrite(field, adjustControls(field, word));
  }
  for (const auto &f : profile.fields)
    vmcs.vmwrite(f.encoding, f.value);
  vmcs.vmwrite(vmcs::IoBitmapA, vmx_page::IoBitmapA);
  vmcs.vmwrite(vmcs::IoBitmapB, vmx_page::IoBitmapB);
  setAllIoIntercepts(vmcs, profile.interceptAllIo);
  setAllMsrIntercepts(vmcs, profile.interceptAllMsrs);
}

void setCrReadShadows(Vmcs &vmcs, uint64_t cr0, uint64_t cr4) {
  vmcs.vmwrite(vmcs::Cr0ReadShadow, cr0);
  vmcs.vmwrite(vmcs::Cr4ReadShadow, cr4);
}

bool applyVmxOverrides(Vmcs &vmcs, std::span<const std::string> items, std::string *error) {
  for (const auto &item : items) {
    auto o = parseControlOverride(item, error);
    if (!o)
      return false;
    applyControlOverride(vmcs, *o);
  }
  return true;
}

} // namespace ringside
