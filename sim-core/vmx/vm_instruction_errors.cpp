#include "vmx/vm_instruction_errors.h"

#include <array>

namespace ringside {
namespace {

constexpr std::array kErrors = {
    VmInstructionErrorInfo{1, "VMCALL_IN_VMX_ROOT_OPERATION"},
    VmInstructionErrorInfo{2, "VMCLEAR_INVALID_ADDRESS"},
    VmInstructionErrorInfo{3, "VMCLEAR_VMXON_POINTER"},
    VmInstructionErrorInfo{4, "VMLAUNCH_NONCLEAR_VMCS"},
    VmInstructionErrorInfo{5, "VMRESUME_NONLAUNCHED_VMCS"},
    VmInstructionErrorInfo{6, "VMRESUME_AFTER_VMXOFF"},
    VmInstructionErrorInfo{7, "ENTRY_INVALID_CONTROL_FIELD"},
    VmInstructionErrorInfo{8, "ENTRY_INVALID_HOST_STATE_FIELD"},
    VmInstructionErrorInfo{9, "VMPTRLD_INVALID_ADDRESS"},
    VmInstructionErrorInfo{10, "VMPTRLD_VMXON_POINTER"},
    VmInstructionErrorInfo{11, "VMPTRLD_INCORRECT_VMCS_REVISION_ID"},
    VmInstructionErrorInfo{12, "UNSUPPORTED_VMCS_COMPONENT"},
    VmInstructionErrorInfo{13, "VMWRITE_READ_ONLY_VMCS_COMPONENT"},
    VmInstructionErrorInfo{15, "VMXON_IN_VMX_ROOT_OPERATION"},
    VmInstructionErrorInfo{16, "ENTRY_INVALID_EXECUTIVE_VMCS_POINTER"},
    VmInstructionErrorInfo{17, "ENTRY_NONLAUNCHED_EXECUTIVE_VMCS"},
    VmInstructionErrorInfo{18, "ENTRY_EXECUTIVE_VMCS_POINTER_NOT_VMXON_POINTER"},
    VmInstructionErrorInfo{19, "VMCALL_NONCLEAR_VMCS"},
    VmInstructionErrorInfo{20, "VMCALL_INVALID_VM_EXIT_CONTROL_FIELDS"},
    VmInstructionErrorInfo{22, "VMCALL_INCORRECT_MSEG_REVISION_ID"},
    VmInstructionErrorInfo{23, "VMXOFF_UNDER_DUAL_MONITOR_TREATMENT_OF_SMIS_AND_SMM"},
    VmInstructionErrorInfo{24, "VMCALL_INVALID_SMM_MONITOR_FEATURES"},
    VmInstructionErrorInfo{25, "ENTRY_INVALID_VM_EXECUTION_CONTROL_FIELDS_IN_EXECUTIVE_VMCS"},
    VmInstructionErrorInfo{26, "ENTRY_EVENTS_BLOCKED_BY_MOV_SS"},
    VmInstructionErrorInfo{28, "INVALID_OPERAND_TO_INVEPT_INVVPID"},
};

} // namespace

std::span<const VmInstructionErrorInfo> vmInstructionErrors() { return kErrors; }

std::string_view vmInstructionErrorName(uint32_t number) {
  for (const auto &e : kErrors)
    if (e.number == number)
      return e.name;
  return "UNKNOWN";
}

} // namespace ringside
