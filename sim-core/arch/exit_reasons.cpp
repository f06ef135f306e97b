#include "arch/exit_reasons.h"

#include <algorithm>
#include <array>

namespace ringside {
namespace {

// Sorted by number. Names as in Linux 6.12 uapi asm/vmx.h (checked by tests against
// ../shared/reference/vmx_exit_reasons.json).
constexpr std::array kExitReasons = {
    ExitReasonInfo{0, "EXCEPTION_NMI", "an exception or NMI the monitor intercepts"},
    ExitReasonInfo{1, "EXTERNAL_INTERRUPT", "an external interrupt arrived"},
    ExitReasonInfo{2, "TRIPLE_FAULT", "the guest triple-faulted (shutdown)"},
    ExitReasonInfo{3, "INIT_SIGNAL", "an INIT signal arrived"},
    ExitReasonInfo{4, "SIPI_SIGNAL", "a start-up IPI arrived"},
    ExitReasonInfo{6, "OTHER_SMI", "an SMI not from I/O arrived"},
    ExitReasonInfo{7, "INTERRUPT_WINDOW", "the guest can now take an interrupt"},
    ExitReasonInfo{8, "NMI_WINDOW", "the guest can now take an NMI"},
    ExitReasonInfo{9, "TASK_SWITCH", "the guest attempted a task switch"},
    ExitReasonInfo{10, "CPUID", "the guest executed CPUID"},
    ExitReasonInfo{12, "HLT", "the guest executed HLT"},
    ExitReasonInfo{13, "INVD", "the guest executed INVD"},
    ExitReasonInfo{14, "INVLPG", "the guest executed INVLPG"},
    ExitReasonInfo{15, "RDPMC", "the guest executed RDPMC"},
    ExitReasonInfo{16, "RDTSC", "the guest executed RDTSC"},
    ExitReasonInfo{18, "VMCALL", "the guest executed VMCALL (a hypercall)"},
    ExitReasonInfo{19, "VMCLEAR", "the guest executed VMCLEAR"},
    ExitReasonInfo{20, "VMLAUNCH", "the guest executed VMLAUNCH"},
    ExitReasonInfo{21, "VMPTRLD", "the guest executed VMPTRLD"},
    ExitReasonInfo{22, "VMPTRST", "the guest executed VMPTRST"},
    ExitReasonInfo{23, "VMREAD", "the guest executed VMREAD"},
    ExitReasonInfo{24, "VMRESUME", "the guest executed VMRESUME"},
    ExitReasonInfo{25, "VMWRITE", "the guest executed VMWRITE"},
    ExitReasonInfo{26, "VMOFF", "the guest executed VMXOFF"},
    ExitReasonInfo{27, "VMON", "the guest executed VMXON"},
    ExitReasonInfo{28, "CR_ACCESS", "the guest accessed a control register"},
    ExitReasonInfo{29, "DR_ACCESS", "the guest accessed a debug register"},
    ExitReasonInfo{30, "IO_INSTRUCTION", "the guest executed IN, OUT, INS or OUTS"},
    ExitReasonInfo{31, "MSR_READ", "the guest executed RDMSR"},
    ExitReasonInfo{32, "MSR_WRITE", "the guest executed WRMSR"},
    ExitReasonInfo{33, "INVALID_STATE", "VM entry failed: invalid guest state"},
    ExitReasonInfo{34, "MSR_LOAD_FAIL", "VM entry failed: MSR loading"},
    ExitReasonInfo{36, "MWAIT_INSTRUCTION", "the guest executed MWAIT"},
    ExitReasonInfo{37, "MONITOR_TRAP_FLAG", "monitor trap flag: one guest instruction ran"},
    ExitReasonInfo{39, "MONITOR_INSTRUCTION", "the guest executed MONITOR"},
    ExitReasonInfo{40, "PAUSE_INSTRUCTION", "the guest executed PAUSE (spin loop)"},
    ExitReasonInfo{41, "MCE_DURING_VMENTRY", "VM entry failed: machine check"},
    ExitReasonInfo{43, "TPR_BELOW_THRESHOLD", "the virtual TPR fell below the threshold"},
    ExitReasonInfo{44, "APIC_ACCESS", "the guest accessed the APIC-access page"},
    ExitReasonInfo{45, "EOI_INDUCED", "the guest signalled end of interrupt"},
    ExitReasonInfo{46, "GDTR_IDTR", "the guest accessed GDTR or IDTR"},
    ExitReasonInfo{47, "LDTR_TR", "the guest accessed LDTR or TR"},
    ExitReasonInfo{48, "EPT_VIOLATION", "an access was not allowed by the EPT"},
    ExitReasonInfo{49, "EPT_MISCONFIG", "an EPT entry is misconfigured"},
    ExitReasonInfo{50, "INVEPT", "the guest executed INVEPT"},
    ExitReasonInfo{51, "RDTSCP", "the guest executed RDTSCP"},
    ExitReasonInfo{52, "PREEMPTION_TIMER", "the VMX-preemption timer expired"},
    ExitReasonInfo{53, "INVVPID", "the guest executed INVVPID"},
    ExitReasonInfo{54, "WBINVD", "the guest executed WBINVD"},
    ExitReasonInfo{55, "XSETBV", "the guest executed XSETBV"},
    ExitReasonInfo{56, "APIC_WRITE", "the guest wrote to the virtual APIC"},
    ExitReasonInfo{57, "RDRAND", "the guest executed RDRAND"},
    ExitReasonInfo{58, "INVPCID", "the guest executed INVPCID"},
    ExitReasonInfo{59, "VMFUNC", "the guest executed VMFUNC"},
    ExitReasonInfo{60, "ENCLS", "the guest executed ENCLS"},
    ExitReasonInfo{61, "RDSEED", "the guest executed RDSEED"},
    ExitReasonInfo{62, "PML_FULL", "the page-modification log is full"},
    ExitReasonInfo{63, "XSAVES", "the guest executed XSAVES"},
    ExitReasonInfo{64, "XRSTORS", "the guest executed XRSTORS"},
    ExitReasonInfo{67, "UMWAIT", "the guest executed UMWAIT"},
    ExitReasonInfo{68, "TPAUSE", "the guest executed TPAUSE"},
    ExitReasonInfo{74, "BUS_LOCK", "the guest acquired a bus lock"},
    ExitReasonInfo{75, "NOTIFY", "the notify window expired"},
    ExitReasonInfo{76, "SEAMCALL", "the guest executed SEAMCALL"},
    ExitReasonInfo{77, "TDCALL", "the guest executed TDCALL"},
    ExitReasonInfo{84, "MSR_READ_IMM", "the guest executed RDMSR with an immediate"},
    ExitReasonInfo{85, "MSR_WRITE_IMM", "the guest executed WRMSR with an immediate"},
};

} // namespace

std::span<const ExitReasonInfo> exitReasons() { return kExitReasons; }

const ExitReasonInfo *findExitReason(uint16_t number) {
  auto it = std::lower_bound(kExitReasons.begin(), kExitReasons.end(), number,
                             [](const ExitReasonInfo &e, uint16_t n) { return e.number < n; });
  return it != kExitReasons.end() && it->number == number ? &*it : nullptr;
}

std::optional<uint16_t> exitReasonByName(std::string_view name) {
  for (const auto &e : kExitReasons)
    if (e.name == name)
      return e.number;
  return std::nullopt;
}

std::string_view exitReasonName(uint16_t number) {
  const auto *e = findExitReason(number);
  return e ? e->name : std::string_view("UNKNOWN");
}

} // namespace ringside
