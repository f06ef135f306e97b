#include "bench_kvm.h"

#include "arch/exit_reasons.h"
#include "backend/backend.h"
#include "errors.h"
#include "kvm_fd.h"

#include <benchmark/benchmark.h>

#include <fcntl.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>

namespace ringside::cli {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---- the guests: 16-bit, hand-encoded (a few bytes; no assembler needed) ----------------

struct GuestCode {
  KvmBench kind;
  std::vector<uint8_t> bytes; ///< bytes 2..5 are ECX's imm32 when the loop has a count
  uint64_t hltOffset;
};

const GuestCode kGuests[] = {
    {KvmBench::IoExit,
     {0x66, 0xB9, 0, 0, 0, 0, // mov ecx, N
      0xE6, 0x80,             // .l: out 0x80, al   (POST port: no device, just the exit)
      0x66, 0x49,             // dec ecx
      0x75, 0xFA,             // jnz .l
      0xF4},                  // hlt
     12},
    {KvmBench::ColdStart, {0xF4}, 0}, // hlt
    {KvmBench::Step,
     {0x66, 0xB9, 0, 0, 0, 0, // mov ecx, N
      0x66, 0x40,             // .l: inc eax
      0x66, 0x49,             // dec ecx
      0x75, 0xFA,             // jnz .l
      0xF4},                  // hlt: stepped over, not halted in (PVM, notes/kvm.md §3.3)
     12},
};

// ---- the bare baseline: what a minimal VMM does, in plain ioctls -------------------------

// The 6.1 uapi kvm_cpuid2 has a flexible array that C++ lays out differently (see kvm_vm.cpp):
// use the kernel's 8-byte header and ioctl numbers built from it.
constexpr size_t kCpuid2Header = 2 * sizeof(uint32_t);
const unsigned long kGetSupportedCpuid = _IOC(_IOC_READ | _IOC_WRITE, KVMIO, 0x05, kCpuid2Header);
const unsigned long kSetCpuid2 = _IOC(_IOC_WRITE, KVMIO, 0x90, kCpuid2Header);
constexpr uint32_t kCpuidEntries = 256;

struct BareVm {
  kvm::Fd kvm, vm, vcpu;
  kvm::Mapping ram, runPage;
  kvm_run *run() const { return runPage.as<kvm_run>(); }
};

std::string failed(const char *what) { return std::string(what) + ": " + std::strerror(errno); }

// Creates the VM with one RAM slot and vCPU 0 (host CPUID passed through, as any VMM does and
// the backend must for guests that switch to long mode), loads `bytes` and enters real mode
// at the load address. Returns why it failed, or "".
std::string createBareVm(BareVm &v, const std::vector<uint8_t> &bytes) {
  v.kvm = kvm::Fd(open("/dev/kvm", O_RDWR | O_CLOEXEC));
  if (!v.kvm.valid())
    return failed("open /dev/kvm");
  v.vm = kvm::Fd(ioctl(v.kvm.get(), KVM_CREATE_VM, 0));
  if (!v.vm.valid())
    return failed("KVM_CREATE_VM");
  const uint64_t ramBytes = kKvmBenchRamMiB << 20;
  v.ram = kvm::Mapping(mmap(nullptr, ramBytes, PROT_READ | PROT_WRITE,
                            MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
                       ramBytes);
  if (!v.ram.valid())
    return failed("mmap guest RAM");
  kvm_userspace_memory_region region{};
  region.memory_size = ramBytes;
  region.userspace_addr = reinterpret_cast<uint64_t>(v.ram.as<void>());
  if (ioctl(v.vm.get(), KVM_SET_USER_MEMORY_REGION, &region) < 0)
    return failed("KVM_SET_USER_MEMORY_REGION");
  v.vcpu = kvm::Fd(ioctl(v.vm.get(), KVM_CREATE_VCPU, 0));
  if (!v.vcpu.valid())
    return failed("KVM_CREATE_VCPU");
  int runSize = ioctl(v.kvm.get(), KVM_GET_VCPU_MMAP_SIZE, 0);
  if (runSize <= 0)
    return failed("KVM_GET_VCPU_MMAP_SIZE");
  v.runPage = kvm::Mapping(
      mmap(nullptr, size_t(runSize), PROT_READ | PROT_WRITE, MAP_SHARED, v.vcpu.get(), 0),
      size_t(runSize));
  if (!v.runPage.valid())
    return failed("mmap kvm_run");
  std::vector<uint8_t> cpuid(kCpuid2Header + kCpuidEntries * sizeof(kvm_cpuid_entry2));
  reinterpret_cast<kvm_cpuid2 *>(cpuid.data())->nent = kCpuidEntries;
  if (ioctl(v.kvm.get(), kGetSupportedCpuid, cpuid.data()) < 0)
    return failed("KVM_GET_SUPPORTED_CPUID");
  if (ioctl(v.vcpu.get(), kSetCpuid2, cpuid.data()) < 0)
    return failed("KVM_SET_CPUID2");

  std::memcpy(v.ram.as<uint8_t>() + kKvmBenchLoadAddress, bytes.data(), bytes.size());
  kvm_sregs s{};
  if (ioctl(v.vcpu.get(), KVM_GET_SREGS, &s) < 0)
    return failed("KVM_GET_SREGS");
  s.cs.base = 0;
  s.cs.selector = 0;
  s.ds = s.es = s.fs = s.gs = s.ss = s.cs;
  s.ds.type = s.es.type = s.fs.type = s.gs.type = s.ss.type = 3; // read/write data
  if (ioctl(v.vcpu.get(), KVM_SET_SREGS, &s) < 0)
    return failed("KVM_SET_SREGS");
  kvm_regs r{};
  r.rip = kKvmBenchLoadAddress;
  r.rsp = 0x7000;
  r.rflags = 0x2;
  if (ioctl(v.vcpu.get(), KVM_SET_REGS, &r) < 0)
    return failed("KVM_SET_REGS");
  return "";
}

enum class Next { Resume, Done };

// KVM_RUN until `onExit` says Done; a signal (EINTR, KVM_EXIT_INTR) just resumes.
template <typename OnExit> std::string runLoop(const BareVm &v, OnExit onExit) {
  for (;;) {
    if (ioctl(v.vcpu.get(), KVM_RUN, 0) < 0) {
      if (errno == EINTR || errno == EAGAIN)
        continue;
      return failed("KVM_RUN");
    }
    uint32_t reason = v.run()->exit_reason;
    if (reason == KVM_EXIT_INTR)
      continue;
    std::string error;
    if (onExit(reason, error) == Next::Done)
      return error;
  }
}

std::string unexpected(uint32_t reason) {
  return "unexpected KVM exit reason " + std::to_string(reason);
}

uint64_t bareRip(const BareVm &v) {
  kvm_regs r{};
  ioctl(v.vcpu.get(), KVM_GET_REGS, &r);
  return r.rip; // CS.base is 0
}

KvmBenchRun bareIoExit(const KvmBenchProgram &p) {
  KvmBenchRun out;
  BareVm v;
  if (out.error = createBareVm(v, p.bytes); !out.error.empty())
    return out;
  auto start = Clock::now();
  out.error = runLoop(v, [&](uint32_t reason, std::string &error) {
    if (reason == KVM_EXIT_IO && ++out.work <= p.work)
      return Next::Resume; // the exit is the work: nothing to emulate for port 0x80
    if (reason != KVM_EXIT_HLT)
      error = reason == KVM_EXIT_IO ? "more I/O exits than the guest makes" : unexpected(reason);
    return Next::Done;
  });
  out.seconds = secondsSince(start);
  out.checksum = bareRip(v);
  return out;
}

KvmBenchRun bareColdStart(const KvmBenchProgram &p) {
  KvmBenchRun out;
  auto start = Clock::now();
  for (uint64_t i = 0; i < p.work && out.error.empty(); ++i) {
    BareVm v;
    if (out.error = createBareVm(v, p.bytes); !out.error.empty())
      break;
    out.error = runLoop(v, [](uint32_t reason, std::string &error) {
      if (reason != KVM_EXIT_HLT)
        error = unexpected(reason);
      return Next::Done;
    });
    if (out.error.empty())
      ++out.work;
    if (i + 1 == p.work)
      out.checksum = bareRip(v);
  } // ~BareVm: unmap and close, the teardown is timed too
  out.seconds = secondsSince(start);
  return out;
}

KvmBenchRun bareStep(const KvmBenchProgram &p) {
  KvmBenchRun out;
  BareVm v;
  if (out.error = createBareVm(v, p.bytes); !out.error.empty())
    return out;
  kvm_guest_debug debug{};
  debug.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP;
  if (ioctl(v.vcpu.get(), KVM_SET_GUEST_DEBUG, &debug) < 0) {
    out.error = failed("KVM_SET_GUEST_DEBUG");
    return out;
  }
  kvm_run *run = v.run();
  run->kvm_valid_regs = KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS;
  kvm_sync_regs captured{};
  auto start = Clock::now();
  out.error = runLoop(v, [&](uint32_t reason, std::string &error) {
    if (reason != KVM_EXIT_DEBUG) {
      error = unexpected(reason);
      return Next::Done;
    }
    // The capture: every register KVM synced into kvm_run, copied out as a debugger would.
    std::memcpy(&captured.regs, &run->s.regs.regs, sizeof captured.regs);
    std::memcpy(&captured.sregs, &run->s.regs.sregs, sizeof captured.sregs);
    benchmark::DoNotOptimize(captured);
    out.checksum = captured.sregs.cs.base + captured.regs.rip;
    ++out.work;
    // Under single-step HLT does not exit; it is stepped over. Stop just past it, where the
    // backend stops too (it sees the HLT's bytes).
    if (out.checksum == p.hltAddress + 1)
      return Next::Done;
    if (out.work > p.work)
      error = "more steps than the guest has instructions";
    return out.work > p.work ? Next::Done : Next::Resume;
  });
  out.seconds = secondsSince(start);
  return out;
}

// ---- the backend runs ---------------------------------------------------------------------

GuestImage imageOf(const KvmBenchProgram &p) {
  GuestImage image;
  image.path = "bench:kvm";
  image.segments.push_back(ImageSegment{kKvmBenchLoadAddress, p.bytes, p.bytes.size()});
  image.entry = kKvmBenchLoadAddress;
  image.entryMode = EntryMode::Real;
  return image;
}

RunConfig configOf(const KvmBenchProgram &p) {
  RunConfig config;
  config.singleStep = p.kind == KvmBench::Step;
  config.ramMiB = kKvmBenchRamMiB;
  config.maxInstructions = 0; // the bench decides the length, not a budget
  config.timeoutSeconds = 60; // a stuck guest fails the benchmark instead of hanging it
  return config;
}

// One backend from createBackend to teardown; counts events and I/O exits as it goes. The io
// bench times run() alone, a cold start times all of it.
void runOnce(const KvmBenchProgram &p, bool keepEvents, KvmBenchRun &out, bool timeRunOnly) {
  auto start = Clock::now();
  std::unique_ptr<Backend> backend = createBackend("kvm");
  backend->load(imageOf(p), configOf(p));
  backend->trace().setKeepEvents(keepEvents);
  uint64_t exits = 0;
  backend->trace().addListener([&](const Event &e) {
    ++out.events;
    if (const auto *exit = std::get_if<ExitEvent>(&e.body);
        exit && exit->reason == exit_reason::IoInstruction)
      ++exits;
  });
  if (timeRunOnly)
    start = Clock::now();
  RunResult result = backend->run();
  out.checksum = result.regs.rip; // real mode, CS=0: linear, past the final hlt
  if (result.stop.kind != StopKind::Hlt)
    out.error = "kvm guest did not halt: " + result.stop.message;
  // The work: I/O exits seen, instructions stepped, or this one cold start.
  out.work += p.kind == KvmBench::IoExit ? exits
              : p.kind == KvmBench::Step ? result.instructions
                                         : uint64_t{1};
  if (timeRunOnly)
    out.seconds += secondsSince(start);
  backend.reset(); // teardown belongs to a cold start
  if (!timeRunOnly)
    out.seconds += secondsSince(start);
}

} // namespace

KvmBenchProgram makeKvmBenchProgram(KvmBench kind, uint64_t iterations) {
  if (iterations == 0 || iterations > 0xFFFFFFFFu)
    throw InputError("kvm bench iterations must be between 1 and 2^32-1");
  for (const GuestCode &g : kGuests) {
    if (g.kind != kind)
      continue;
    KvmBenchProgram p;
    p.kind = kind;
    p.iterations = iterations;
    p.bytes = g.bytes;
    if (kind != KvmBench::ColdStart)
      for (int i = 0; i < 4; ++i)
        p.bytes[2 + i] = static_cast<uint8_t>(iterations >> (8 * i));
    p.hltAddress = kKvmBenchLoadAddress + g.hltOffset;
    // Step: `mov`, 3 instructions per iteration, then the stepped-over `hlt`.
    p.work = kind == KvmBench::Step ? 2 + 3 * iterations : iterations;
    return p;
  }
  throw InputError("unknown kvm bench guest");
}

KvmBenchRun runBareKvm(const KvmBenchProgram &p) {
  switch (p.kind) {
  case KvmBench::IoExit:
    return bareIoExit(p);
  case KvmBench::ColdStart:
    return bareColdStart(p);
  case KvmBench::Step:
    return bareStep(p);
  }
  return KvmBenchRun{0, 0, 0, 0, "unknown kvm bench guest"};
}

KvmBenchRun runKvmBackend(const KvmBenchProgram &p, bool keepEvents) {
  KvmBenchRun out;
  try {
    switch (p.kind) {
    case KvmBench::IoExit:
    case KvmBench::Step:
      runOnce(p, keepEvents, out, /*timeRunOnly=*/true);
      break;
    case KvmBench::ColdStart:
      for (uint64_t i = 0; i < p.work && out.error.empty(); ++i)
        runOnce(p, keepEvents, out, /*timeRunOnly=*/false);
      break;
    }
  } catch (const std::exception &e) {
    out.error = e.what();
  }
  return out;
}

} // namespace ringside::cli
