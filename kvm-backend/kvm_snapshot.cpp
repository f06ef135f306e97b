// Snapshots and the dirty-page log of the kvm backend (docs/snapshots.md, "The kvm backend").
// A snapshot is taken where a --step run stopped at its instruction budget: between two
// KVM_RUNs, with no exit half-handled. It holds what the kernel reports of the vCPU
// (KVM_GET_REGS, KVM_GET_SREGS, KVM_GET_FPU, the MSRs below, KVM_GET_VCPU_EVENTS), guest RAM,
// the platform's devices and this backend's own bookkeeping (instruction count, step position,
// the timer clock). Restoring makes a fresh VM (new fds, same RAM size and --virt) and writes
// all of it back; the step mode goes on, so instruction counts stay exact.
#include "kvm_backend.h"

#include "errors.h"
#include "snapshot/byte_io.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <type_traits>

namespace ringside::kvm {
namespace {

using snapshot::ByteReader;
using snapshot::ByteWriter;

// MSRs a test guest (or the boot state) can change and KVM_GET_SREGS does not cover (EFER,
// FS/GS base are in sregs): SYSCALL/SYSENTER targets, the swapped GS base, PAT, TSC_AUX.
constexpr std::array<uint32_t, 10> kSavedMsrs{
    0x174,      // IA32_SYSENTER_CS
    0x175,      // IA32_SYSENTER_ESP
    0x176,      // IA32_SYSENTER_EIP
    0x277,      // IA32_PAT
    0xC0000081, // STAR
    0xC0000082, // LSTAR
    0xC0000083, // CSTAR
    0xC0000084, // SFMASK
    0xC0000102, // KERNEL_GS_BASE
    0xC0000103, // TSC_AUX
};

// The kernel's structs, byte for byte: their layout is the KVM ABI, fixed across kernels.
template <typename T> void putStruct(ByteWriter &w, const T &value) {
  static_assert(std::is_trivially_copyable_v<T>);
  const auto *p = reinterpret_cast<const uint8_t *>(&value);
  w.blob(std::vector<uint8_t>(p, p + sizeof(T)));
}

template <typename T> T getStruct(ByteReader &r, const char *what) {
  auto bytes = r.blob(what, sizeof(T));
  if (bytes.size() != sizeof(T))
    r.fail(std::string(what) + " is " + std::to_string(bytes.size()) + " bytes, not " +
           std::to_string(sizeof(T)));
  T value;
  std::memcpy(&value, bytes.data(), sizeof(T));
  return value;
}

} // namespace

snapshot::MachineState KvmBackend::saveState() const {
  if (!vm_)
    throw InputError("snapshot: no guest loaded");
  if (!config_.singleStep)
    throw InputError("snapshot: the kvm backend stops at an instruction only with --step "
                     "(single-step; on PVM, CPL0 code only)");
  if (!result_ || result_->stop.kind != StopKind::Budget)
    throw InputError("snapshot: the guest must be stopped at its instruction budget (--at-insn); "
                     "it is " +
                     std::string(result_ ? stopKindName(result_->stop.kind) : "not started"));
  snapshot::MachineState s;
  s.backend = "kvm";
  s.imagePath = imagePath_;
  s.entry = entry_;
  s.entryMode = entryMode_;
  s.ramMiB = config_.ramMiB;
  s.virt = config_.virt;
  s.instructions = instructions_;
  // The budget's stop event is not part of the machine's history (as on emu).
  s.nextSeq = trace_.size() ? trace_.size() - 1 : 0;
  auto ram = vm_->ram();
  s.ram.assign(ram.begin(), ram.end());

  ByteWriter cpu;
  putStruct(cpu, vm_->getRegs());
  putStruct(cpu, vm_->getSregs());
  putStruct(cpu, vm_->getFpu());
  putStruct(cpu, vm_->getEvents());
  auto msrs = vm_->getMsrs(kSavedMsrs);
  cpu.u32(static_cast<uint32_t>(msrs.size()));
  for (const auto &[index, value] : msrs) {
    cpu.u32(index);
    cpu.u64(value);
  }
  s.sections["CPU "] = cpu.take();

  ByteWriter mon;
  mon.u64(instructions_);
  mon.u64(stepRip_);
  mon.u8(stepCpl_);
  mon.boolean(config_.singleStep);
  s.sections["MON "] = mon.take();

  ByteWriter clk;
  clk.u64(clockAtStop_);
  s.sections["CLCK"] = clk.take();

  ByteWriter devs;
  platform_->saveState(devs);
  s.sections["DEVS"] = devs.take();
  return s;
}

void KvmBackend::restoreState(const snapshot::MachineState &s, const RunConfig &config) {
  if (s.backend != "kvm")
    throw InputError("snapshot: taken on the " + s.backend +
                     " backend; the kvm backend restores only its own snapshots (the vCPU "
                     "state formats differ); restore it with --backend " +
                     s.backend);
  GuestImage image;
  image.path = s.imagePath;
  image.entry = s.entry;
  if (s.entryMode > static_cast<uint8_t>(EntryMode::Long))
    throw snapshot::SnapshotError("snapshot section 'META': entry mode " +
                                  std::to_string(s.entryMode) + " is unknown");
  image.entryMode = static_cast<EntryMode>(s.entryMode);
  if (s.entry < (s.ramMiB << 20))
    image.segments.push_back(ImageSegment{s.entry, {0x90}, 1});

  ByteReader mon(s.section("MON ", "kvm snapshot"), "snapshot section 'MON '");
  const uint64_t instructions = mon.u64();
  const uint64_t stepRip = mon.u64();
  const uint8_t stepCpl = mon.u8();
  const bool stepping = mon.boolean();
  mon.expectEnd();
  if (instructions != s.instructions)
    throw snapshot::SnapshotError("snapshot: META says " + std::to_string(s.instructions) +
                                  " instructions, section 'MON ' says " +
                                  std::to_string(instructions));

  RunConfig c = config;
  c.ramMiB = s.ramMiB;
  c.virt = s.virt;
  c.singleStep = c.singleStep || stepping; // counts stay exact from where they were
  load(image, c); // a fresh VM of the same shape; everything below overwrites it
  auto ram = vm_->ram();
  if (s.ram.size() != ram.size())
    throw snapshot::SnapshotError("snapshot: RAM is " + std::to_string(s.ram.size()) +
                                  " bytes, the machine has " + std::to_string(ram.size()));
  std::memcpy(ram.data(), s.ram.data(), s.ram.size());

  ByteReader cpu(s.section("CPU ", "kvm snapshot"), "snapshot section 'CPU '");
  const auto regs = getStruct<kvm_regs>(cpu, "kvm_regs");
  const auto sregs = getStruct<kvm_sregs>(cpu, "kvm_sregs");
  const auto fpu = getStruct<kvm_fpu>(cpu, "kvm_fpu");
  const auto events = getStruct<kvm_vcpu_events>(cpu, "kvm_vcpu_events");
  const uint32_t count = cpu.u32();
  if (count > kSavedMsrs.size())
    cpu.fail(std::to_string(count) + " MSRs; at most " + std::to_string(kSavedMsrs.size()));
  std::vector<std::pair<uint32_t, uint64_t>> msrs;
  for (uint32_t i = 0; i < count; ++i) {
    uint32_t index = cpu.u32();
    msrs.emplace_back(index, cpu.u64());
  }
  cpu.expectEnd();
  vm_->setSregs(sregs); // modes first: the MSRs and registers are checked against them
  vm_->setMsrs(msrs);
  vm_->setRegs(regs);
  vm_->setFpu(fpu);
  vm_->setEvents(events);

  ByteReader clk(s.section("CLCK", "kvm snapshot"), "snapshot section 'CLCK'");
  clockAtStop_ = clk.u64();
  clk.expectEnd();

  ByteReader devs(s.section("DEVS", "kvm snapshot"), "snapshot section 'DEVS'");
  platform_->restoreState(devs);
  devs.expectEnd();

  instructions_ = instructions;
  stepRip_ = stepRip;
  stepCpl_ = stepCpl;
  trace_.clear();
  trace_.setNextSeq(s.nextSeq);
  resumed_ = true;
}

RunResult KvmBackend::resume(uint64_t totalInstructions) {
  if (!vm_ || !result_ || result_->stop.kind != StopKind::Budget || !config_.singleStep)
    throw InputError("resume: the guest is not stopped at its instruction budget (--step)");
  config_.maxInstructions = totalInstructions;
  resumed_ = true;
  return run();
}

void KvmBackend::setDirtyLogging(bool on) {
  if (!vm_)
    throw InputError("dirty logging: no guest loaded");
  vm_->setDirtyLogging(on);
  ram_->setTracking(on);
}

std::vector<uint64_t> KvmBackend::fetchDirtyLog() {
  if (!vm_)
    throw InputError("dirty logging: no guest loaded");
  std::vector<uint64_t> pages = vm_->fetchDirtyLog();
  lastKernelDirty_ = pages.size();
  lastUserspaceDirty_ = 0;
  const auto kernelEnd = static_cast<std::ptrdiff_t>(pages.size());
  for (uint64_t p : ram_->takeDirty())
    if (!std::binary_search(pages.begin(), pages.begin() + kernelEnd, p)) {
      pages.push_back(p);
      ++lastUserspaceDirty_;
    }
  std::sort(pages.begin(), pages.end());
  return pages;
}

} // namespace ringside::kvm
