#include "kvm_host.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <linux/kvm.h>
#include <sstream>
#include <string_view>
#include <sys/ioctl.h>
#include <unistd.h>

// Capabilities newer than the Debian 12 (6.1) uapi header: probed by number.
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2 231
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES 235
#endif

namespace ringside::kvm {
namespace {

struct CapQuery {
  const char *name;
  int number;
};

// The capabilities the backend and its views care about.
constexpr std::array kCapQueries{
    CapQuery{"SYNC_REGS", KVM_CAP_SYNC_REGS},
    CapQuery{"SET_GUEST_DEBUG", KVM_CAP_SET_GUEST_DEBUG},
    CapQuery{"SET_GUEST_DEBUG2", KVM_CAP_SET_GUEST_DEBUG2},
    CapQuery{"X86_ROBUST_SINGLESTEP", KVM_CAP_X86_ROBUST_SINGLESTEP},
    CapQuery{"IMMEDIATE_EXIT", KVM_CAP_IMMEDIATE_EXIT},
    CapQuery{"BINARY_STATS_FD", KVM_CAP_BINARY_STATS_FD},
    CapQuery{"X86_TRIPLE_FAULT_EVENT", KVM_CAP_X86_TRIPLE_FAULT_EVENT},
    CapQuery{"EXIT_ON_EMULATION_FAILURE", KVM_CAP_EXIT_ON_EMULATION_FAILURE},
    CapQuery{"EXIT_HYPERCALL", KVM_CAP_EXIT_HYPERCALL},
    CapQuery{"READONLY_MEM", KVM_CAP_READONLY_MEM},
    CapQuery{"NESTED_STATE", KVM_CAP_NESTED_STATE},
    CapQuery{"USER_MEMORY2", KVM_CAP_USER_MEMORY2},
    CapQuery{"VM_TYPES", KVM_CAP_VM_TYPES},
};

// How each kind of host is recognised and what it can show. Rows are tried in order.
struct FlavourFacts {
  Flavour flavour;
  const char *id;
  const char *name;
  const char *module;  ///< /sys/module/<module> exists when it is loaded
  const char *cpuFlag; ///< required /proc/cpuinfo flag ("" = none)
  bool hardwareExits;  ///< kvm:kvm_exit carries real VMX/SVM exit reasons
  bool paging32;       ///< 32-bit (legacy and PAE) guest paging works
  bool singleStep;     ///< KVM_GUESTDBG_SINGLESTEP works (at some CPL)
  const char *summary; ///< the honest line for Capabilities::description
};

constexpr std::array kFlavours{
    FlavourFacts{Flavour::Vmx, "vmx", "Intel VMX (hardware)", "kvm_intel", "vmx", true, true, true,
                 "guests run on Intel VT-x; single-step works at every CPL"},
    FlavourFacts{Flavour::Svm, "svm", "AMD SVM (hardware)", "kvm_amd", "svm", true, true, true,
                 "guests run on AMD-V; single-step works at every CPL"},
    FlavourFacts{Flavour::Pvm, "pvm", "PVM (software, shadow paging)", "kvm_pvm", "", false, false,
                 true,
                 "PVM: CPL0 guest code is emulated by KVM's instruction emulator, CPL3 runs "
                 "natively; single-step works at CPL0 only; 32-bit paging is unsupported; VMCALL "
                 "livelocks (the timeout stops it)"},
    FlavourFacts{Flavour::Unknown, "unknown", "unknown KVM", "", "", false, false, false,
                 "unrecognised KVM implementation: nothing beyond userspace exits is claimed"},
};

const FlavourFacts &factsFor(Flavour flavour) {
  for (const auto &f : kFlavours)
    if (f.flavour == flavour)
      return f;
  return kFlavours.back();
}

bool exists(const std::string &path) { return access(path.c_str(), F_OK) == 0; }

std::vector<std::string> cpuFlags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("flags", 0) != 0)
      continue;
    std::istringstream words(line.substr(line.find(':') + 1));
    std::vector<std::string> flags;
    for (std::string w; words >> w;)
      flags.push_back(w);
    return flags;
  }
  return {};
}

Flavour detectFlavour() {
  auto flags = cpuFlags();
  auto hasFlag = [&](std::string_view f) {
    return f.empty() || std::find(flags.begin(), flags.end(), f) != flags.end();
  };
  for (const auto &f : kFlavours)
    if (*f.module && exists(std::string("/sys/module/") + f.module) && hasFlag(f.cpuFlag))
      return f.flavour;
  return Flavour::Unknown;
}

// A tracepoint is usable when its format is readable, it can be enabled and the pipe read.
bool tracepointUsable(const char *event) {
  for (const char *root : {"/sys/kernel/tracing", "/sys/kernel/debug/tracing"}) {
    std::string dir = std::string(root) + "/events/" + event;
    if (access((dir + "/format").c_str(), R_OK) == 0 &&
        access((dir + "/enable").c_str(), W_OK) == 0 &&
        access((std::string(root) + "/trace_pipe").c_str(), R_OK) == 0)
      return true;
  }
  return false;
}

} // namespace

const char *hostStatusName(HostStatus status) {
  static constexpr const char *kNames[] = {"usable", "missing", "permission-denied", "broken"};
  return kNames[static_cast<int>(status)];
}
const char *flavourId(Flavour flavour) { return factsFor(flavour).id; }
const char *flavourName(Flavour flavour) { return factsFor(flavour).name; }

int HostProbe::cap(const char *name) const {
  for (const auto &c : caps)
    if (std::strcmp(c.name, name) == 0)
      return c.value;
  return 0;
}

HostProbe probeHost() {
  HostProbe probe;
  probe.flavour = detectFlavour();
  probe.kvmExitTraceReadable = tracepointUsable("kvm/kvm_exit");
  probe.mmuWalkTraceReadable = tracepointUsable("kvmmmu/kvm_mmu_paging_element");
  int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT) {
      probe.status = HostStatus::Missing;
      probe.reason = "no /dev/kvm: the kvm module is not loaded, or this CPU/VM offers no "
                     "virtualization (enable VT-x/AMD-V in the firmware)";
    } else if (e == EACCES || e == EPERM) {
      probe.status = HostStatus::PermissionDenied;
      probe.reason = "permission denied opening /dev/kvm: add yourself to the kvm group "
                     "(sudo usermod -aG kvm $USER), then log in again";
    } else {
      probe.status = HostStatus::Broken;
      probe.reason = std::string("cannot open /dev/kvm: ") + std::strerror(e);
    }
    return probe;
  }
  probe.apiVersion = ioctl(fd, KVM_GET_API_VERSION, 0);
  for (const auto &q : kCapQueries) {
    int v = ioctl(fd, KVM_CHECK_EXTENSION, q.number);
    probe.caps.push_back(CapValue{q.name, q.number, v < 0 ? 0 : v});
  }
  close(fd);
  if (probe.apiVersion != KVM_API_VERSION) {
    probe.status = HostStatus::Broken;
    probe.reason = "/dev/kvm speaks API version " + std::to_string(probe.apiVersion) +
                   ", expected " + std::to_string(KVM_API_VERSION);
    return probe;
  }
  if (!probe.cap("IMMEDIATE_EXIT")) {
    // Without it a timeout could not stop a vCPU that never exits (VMCALL on PVM).
    probe.status = HostStatus::Broken;
    probe.reason = "this KVM lacks KVM_CAP_IMMEDIATE_EXIT, which the watchdog needs";
    return probe;
  }
  probe.status = HostStatus::Usable;
  return probe;
}

Capabilities capabilitiesFor(const HostProbe &probe) {
  const FlavourFacts &facts = factsFor(probe.flavour);
  Capabilities caps;
  caps.exactInstructionCount = false; // KVM counts no instructions (no PMU here)
  caps.deterministic = false;         // timing and the host decide when exits happen
  caps.modelledExits = false;         // exits are what KVM_RUN reports
  caps.realExitReasons = facts.hardwareExits && probe.kvmExitTraceReadable;
  caps.guestPageWalks = true; // at userspace exits, KVM_TRANSLATE-checked (kvm_walks.cpp)
  caps.paging32 = facts.paging32;
  caps.canSingleStep = facts.singleStep && probe.cap("SET_GUEST_DEBUG") != 0;
  // A snapshot is taken at an instruction budget, which only single-stepping enforces here.
  caps.snapshots = caps.canSingleStep;
  caps.dirtyLog = true; // KVM_MEM_LOG_DIRTY_PAGES + KVM_GET_DIRTY_LOG (kvm_vm_state.cpp)
  caps.description = std::string("KVM on ") + facts.name + ": " + facts.summary +
                     ". Exits are what KVM_RUN returns to userspace (I/O, MMIO, HLT, shutdown); "
                     "without --step instructions are not counted (reported as 0) and "
                     "--max-insns is not enforced, only --timeout; --step counts them exactly "
                     "(one KVM_EXIT_DEBUG each)";
  return caps;
}

} // namespace ringside::kvm
