#include "kvm_observability.h"

#include <array>
#include <cstdint>

namespace ringside::kvm {
namespace {

// Which hosts a fact holds on (bit per Flavour).
constexpr uint8_t bit(Flavour f) { return uint8_t(1u << static_cast<unsigned>(f)); }
constexpr uint8_t kVmx = bit(Flavour::Vmx), kSvm = bit(Flavour::Svm), kPvm = bit(Flavour::Pvm),
                  kUnknown = bit(Flavour::Unknown), kHardware = kVmx | kSvm,
                  kAll = kVmx | kSvm | kPvm | kUnknown;

// Which runs it holds for.
enum class When : uint8_t {
  Always,
  WithoutStep,
  WithStep,
  WithoutKernelTrace,
  WithKernelTrace,
  WithMmuModel
};

struct Fact {
  uint8_t hosts;
  When when;
  const char *kind;
  const char *why;
};

// Measured on PVM (../shared/notes/kvm.md); the VMX/SVM rows follow the KVM API documentation.
constexpr std::array kFacts{
    Fact{
        kPvm, When::Always, "exit reasons of in-kernel exits",
        "kvm:kvm_exit does not fire under PVM: CPL0 code is emulated, CPL3 traps are not VM exits"},
    Fact{kHardware, When::WithoutKernelTrace, "exit reasons of in-kernel exits",
         "KVM_RUN returns only the exits userspace serves; run with --kernel-trace (root, tracefs) "
         "to read kvm:kvm_exit"},
    Fact{kSvm, When::WithKernelTrace, "SVM exit codes",
         "kvm:kvm_exit records SVM exit codes, which have no VMX exit-reason number: they are "
         "counted, not shown"},
    Fact{kUnknown, When::Always, "exit reasons of in-kernel exits",
         "unrecognised KVM implementation: only userspace exits are trusted"},
    Fact{kVmx, When::Always, "VMCS",
         "KVM never exposes the VMCS to userspace: VMCS views are a model"},
    Fact{kSvm | kPvm | kUnknown, When::Always, "VMCS",
         "there is no VMCS on this host (AMD has a VMCB, PVM neither): VMCS views are a model"},
    Fact{kVmx, When::Always, "EPT", "KVM never exposes the EPT tables to userspace"},
    Fact{kSvm, When::Always, "EPT", "AMD uses NPT, and KVM does not expose those tables either"},
    Fact{kPvm, When::Always, "EPT", "PVM virtualises memory with shadow paging: there is no EPT"},
    Fact{kAll, When::WithoutStep, "ring changes outside single-step",
         "KVM reports no CPL changes; run with --step to see them (CPL0 code only on PVM)"},
    Fact{
        kAll, When::WithoutStep, "instruction count outside single-step",
        "KVM counts no guest instructions (instructions is 0); run with --step for an exact count"},
    Fact{kPvm, When::WithStep, "single-step at CPL3",
         "PVM runs CPL3 natively and delivers the step's #DB to the guest, which triple-faults: "
         "a --step run stops with an error when the guest reaches CPL3"},
    Fact{kPvm, When::WithoutKernelTrace, "in-kernel guest page walks",
         "run with --kernel-trace (root, tracefs) to read kvmmmu:kvm_mmu_paging_element"},
    Fact{kHardware, When::Always, "guest page walks done by the CPU",
         "with EPT/NPT the CPU walks the guest's tables itself; kvmmmu tracepoints show only the "
         "walks KVM makes in software"},
    Fact{kPvm, When::Always, "io_exits and mmio_exits statistics",
         "PVM leaves these vCPU stats at 0: count the exit events of the trace instead"},
    Fact{
        kAll, When::WithMmuModel, "the host's shadow or EPT tables (--mmu)",
        "KVM exposes neither its shadow tables nor the EPT/NPT: the --mmu shadow|ept walks in this "
        "trace are Ringside's model (source model), made beside the guest at each userspace exit; "
        "the guest ran on KVM's own MMU, not on the model"},
    Fact{kAll, When::Always, "guest-virtual address of MMIO accesses",
         "KVM_EXIT_MMIO gives only the guest-physical address, so no walk is recorded for it"},
};

bool holds(When when, const RunConfig &config) {
  switch (when) {
  case When::Always:
    return true;
  case When::WithoutStep:
    return !config.singleStep;
  case When::WithStep:
    return config.singleStep;
  case When::WithoutKernelTrace:
    return !config.kernelTrace;
  case When::WithKernelTrace:
    return config.kernelTrace;
  case When::WithMmuModel:
    return config.mmu == "shadow" || config.mmu == "ept";
  }
  return false;
}

} // namespace

std::vector<Unobservable> unobservableFor(Flavour flavour, const RunConfig &config,
                                          const std::string &kernelTraceFailure) {
  std::vector<Unobservable> out;
  for (const Fact &f : kFacts)
    if ((f.hosts & bit(flavour)) && holds(f.when, config))
      out.push_back({f.kind, f.why});
  if (config.kernelTrace && !kernelTraceFailure.empty())
    out.push_back({"kernel tracepoints", "--kernel-trace could not run: " + kernelTraceFailure});
  return out;
}

} // namespace ringside::kvm
