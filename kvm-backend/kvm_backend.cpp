#include "kvm_backend.h"

#include "errors.h"
#include "guest/image_fit.h"
#include "kernel_trace_session.h"
#include "kvm_entry_state.h"
#include "kvm_observability.h"
#include "kvm_stats.h"
#include "platform/firmware_tables.h"
#include "platform/layout.h"
#include "util/hex.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <sys/ioctl.h>
#include <unistd.h>
#include <utility>

namespace ringside::kvm {
namespace {

// The kernel's events of the run, appended after the run's own in kernel timestamp order.
void appendKernelEvents(Trace &trace, uint64_t instructions, KernelTraceCapture &capture,
                        std::map<std::string, uint64_t> &debug) {
  auto &events = capture.parsed.events;
  std::stable_sort(events.begin(), events.end(),
                   [](const auto &a, const auto &b) { return a.timestampNs < b.timestampNs; });
  for (auto &e : events)
    std::visit([&](auto &body) { trace.record(instructions, body); }, e.body);
  debug["kernel_trace_lines"] = capture.lines.size();
  debug["kernel_trace_events"] = events.size();
  debug["kernel_trace_unsupported_exits"] = capture.parsed.unsupportedExits;
}

} // namespace

std::unique_ptr<Backend> createKvmBackend() {
  // The host does not change while the process runs: probe it once (reading /proc/cpuinfo,
  // sysfs and tracefs is a good part of a cold start otherwise).
  static const HostProbe cached = probeHost();
  HostProbe probe = cached;
  if (!probe.usable())
    throw InputError("the kvm backend cannot run here: " + probe.reason);
  return std::make_unique<KvmBackend>(std::move(probe));
}

KvmBackend::KvmBackend(HostProbe probe)
    : probe_(std::move(probe)), platform_(std::make_unique<Platform>(trace_)) {}

void KvmBackend::load(const GuestImage &image, const RunConfig &config) {
  if (config.ramMiB < 1 || config.ramMiB > 4096)
    throw InputError("--mem must be between 1 and 4096 MiB (got " + std::to_string(config.ramMiB) +
                     ")");
  checkImageFits(image, config.ramMiB << 20);
  // The hardware (or PVM) is the VMM here: only the hardware-assisted technique and the
  // paravirtual interface on top of it exist; the others are models of the emu backend.
  if (config.virt != "vtx" && config.virt != "pv")
    throw InputError("--virt " + config.virt +
                     " runs on the emu backend only; the kvm backend has vtx (default) and pv");
  kvmMmuMode(config.mmu); // an unknown name is refused before the VM is made
  if (image.entryMode == EntryMode::Real && image.entry > 0xFFFF)
    throw InputError(image.path + ": real-mode entry point " + hex(image.entry) +
                     " is above 0xFFFF (CS=0); load it lower or use --entry protected");
  mmuModel_.reset();
  vm_.reset(); // close the previous machine before making the next one
  trace_.clear();
  platform_ = std::make_unique<Platform>(trace_);
  vm_ = std::make_unique<KvmVm>(config.ramMiB << 20);
  auto ram = vm_->ram();
  ram_ = std::make_unique<KvmRam>(ram);
  platform_->attachMemory(ram_.get());
  pv_ = config.virt == "pv";
  if (pv_)
    vm_->enableParavirt();
  for (const auto &seg : image.segments)
    std::memcpy(ram.data() + seg.gpa, seg.bytes.data(), seg.bytes.size());
  if (image.entryMode != EntryMode::Real)
    writeFirmwareTables(ram);
  setEntryState(*vm_, image.entryMode, image.entry);
  config_ = config;
  imagePath_ = image.path;
  entry_ = image.entry;
  entryMode_ = static_cast<uint8_t>(image.entryMode);
  resumed_ = false;
  result_.reset();
  if (config.singleStep)
    enableSingleStep();
}

Capabilities KvmBackend::capabilities() const {
  Capabilities caps = capabilitiesFor(probe_);
  caps.exactInstructionCount = config_.singleStep; // every step is one KVM_EXIT_DEBUG
  return caps;
}

std::vector<Unobservable> KvmBackend::unobservable() const {
  return unobservableFor(probe_.flavour, config_, kernelTraceFailure_);
}

RunResult KvmBackend::run() {
  if (!vm_)
    throw InputError("no guest loaded");
  result_.reset();
  synced_ = false;
  const bool resumed = std::exchange(resumed_, false);
  if (!resumed) {
    instructions_ = 0;
    clockAtStop_ = 0;
  }
  walkedPages_.clear();
  prepareMmuModel(resumed);
  stats_.clear();
  debug_.clear();
  kernelTraceFailure_.clear();
  kvm_run *run = vm_->run();
  const CpuView start = cpuView();
  stepRip_ = start.linearRip;
  stepCpl_ = start.cpl;
  if (!resumed) { // a continuation goes on with the history it had (kvm_snapshot.cpp)
    record(RingEvent{start.cpl, start.cpl, RingCause::Start, start.linearRip, EventSource::KvmRun});
    record(EntryEvent{start.linearRip, false, 0});
  }

  KvmStatsReader stats(vm_->vcpuFd());
  const auto statsBefore = stats.read();
  KernelTraceSession kernelTrace;
  if (config_.kernelTrace) {
    // KVM_RUN runs on this thread: the filter keeps other processes' guests out.
    KernelTraceSession::Options options;
    options.pids = {static_cast<pid_t>(::gettid())};
    if (!kernelTrace.start(options))
      kernelTraceFailure_ = kernelTrace.error();
  }
  watchdog_.start(run, config_.timeoutSeconds);
  // The timer's clock stood still while the guest was stopped (or saved).
  clockStart_ = std::chrono::steady_clock::now() -
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(double(clockAtStop_) / 1193182.0));
  kickArmed_ = false;
  watchdog_.cancelKick();
  if (config_.singleStep && config_.maxInstructions && instructions_ >= config_.maxInstructions)
    finish(StopKind::Budget, 0,
           "instruction budget of " + std::to_string(config_.maxInstructions) +
               " reached (--max-insns)");
  if (config_.singleStep && stepCpl_ == 3 && probe_.flavour == Flavour::Pvm)
    finish(StopKind::Error, 0, "--step cannot start at CPL3 on PVM (see docs/kvm-backend.md)");
  while (!result_) {
    // Clear before checking the flags: a kick after the check sets it again and KVM_RUN
    // returns at once (../shared/notes/kvm.md, pitfall 1).
    run->immediate_exit = 0;
    if (watchdog_.shouldStop()) {
      onInterrupted();
      break;
    }
    if (config_.singleStep && !beforeStep())
      break;
    if (!prepareInterrupts())
      break;
    if (ioctl(vm_->vcpuFd(), KVM_RUN, 0) < 0) {
      if (errno == EINTR || errno == EAGAIN)
        continue; // a kick: the flags are checked at the top
      finish(StopKind::Error, 0, std::string("KVM_RUN failed: ") + std::strerror(errno));
      break;
    }
    synced_ = vm_->syncRegs();
    dispatchExit();
  }
  watchdog_.stop();
  clockAtStop_ = timerClock();
  if (kernelTrace.active()) {
    if (auto capture = kernelTrace.stop())
      appendKernelEvents(trace_, instructions_, *capture, debug_);
    else
      kernelTraceFailure_ = kernelTrace.error();
  }
  if (const auto statsAfter = stats.read(); statsBefore && statsAfter)
    stats_ = diffKvmStats(*statsBefore, *statsAfter);
  // The stop event is recorded last, after the kernel's events.
  record(result_->stop);
  RunResult out = *result_;
  out.instructions = instructions_; // 0 unless stepping: KVM does not count instructions
  out.regs = finalRegs();
  return out;
}

uint64_t KvmBackend::exitRip() const {
  if (vm_->syncRegs()) {
    const auto &s = vm_->run()->s.regs;
    return s.sregs.cs.base + s.regs.rip;
  }
  return vm_->getRegs().rip; // one more ioctl (7 µs on PVM); CS.base omitted
}

void KvmBackend::record(EventBody body) { trace_.record(instructions_, std::move(body)); }

void KvmBackend::exitEvent(uint16_t reason, uint64_t qualification) {
  // KVM reports neither the length of the exiting instruction (insnLength stays 0) nor where it
  // began: the RIP is KVM's at the exit, which for OUT already points past the instruction.
  record(ExitEvent{reason, qualification, exitRip(), 0, EventSource::KvmRun});
}

void KvmBackend::entryEvent() { record(EntryEvent{exitRip(), false, 0}); }

void KvmBackend::finish(StopKind kind, int64_t code, std::string message) {
  if (result_)
    return;
  RunResult r;
  r.stop = StopEvent{kind, code, std::move(message)};
  result_ = std::move(r); // recorded by run(), after any kernel-trace events
}

GuestRegs KvmBackend::finalRegs() const {
  GuestRegs g;
  kvm_regs r = vm_->getRegs();
  kvm_sregs s = vm_->getSregs();
  g.gpr = {r.rax, r.rcx, r.rdx, r.rbx, r.rsp, r.rbp, r.rsi, r.rdi,
           r.r8,  r.r9,  r.r10, r.r11, r.r12, r.r13, r.r14, r.r15};
  g.rip = r.rip;
  g.rflags = r.rflags;
  g.cr0 = s.cr0;
  g.cr2 = s.cr2;
  g.cr3 = s.cr3;
  g.cr4 = s.cr4;
  g.efer = s.efer;
  g.cs = s.cs.selector;
  g.ss = s.ss.selector;
  // Real mode runs at CPL 0; in protected and long mode CS.RPL is the CPL.
  g.cpl = (s.cr0 & 1) ? static_cast<uint8_t>(s.cs.selector & 3) : 0;
  return g;
}

bool KvmBackend::readGuestPhysical(uint64_t gpa, void *dst, size_t n) const {
  if (!vm_)
    return false;
  auto ram = vm_->ram();
  // The VGA window is a device (KVM_EXIT_MMIO), not RAM, as on the emu backend.
  uint64_t vgaEnd = layout::kVgaBase + layout::kVgaSize;
  if (gpa >= ram.size() || n > ram.size() - gpa || (gpa < vgaEnd && gpa + n > layout::kVgaBase))
    return false;
  std::memcpy(dst, ram.data() + gpa, n);
  return true;
}

} // namespace ringside::kvm
