#pragma once
// The KVM half of `ringside bench`: three guests, each run by a bare C-style KVM_RUN loop
// (plain ioctls, no backend) and by the kvm backend, so the backend's overhead is measured
// against the floor in the same run. All guests are 16-bit real mode at 0x8000 (CS=0): on
// PVM every CPL0 instruction is emulated, and real mode is the cheapest entry state to set up.
#include <cstdint>
#include <string>
#include <vector>

namespace ringside::cli {

enum class KvmBench {
  IoExit,    ///< N × `out 0x80, al`: one KVM_EXIT_IO round trip each
  ColdStart, ///< N × (create VM, RAM, vCPU; load `hlt`; run to KVM_EXIT_HLT; destroy)
  Step,      ///< 3-instruction loop single-stepped with registers captured at every step
};

struct KvmBenchProgram {
  KvmBench kind = KvmBench::IoExit;
  uint64_t iterations = 0;
  std::vector<uint8_t> bytes; ///< loaded at kKvmBenchLoadAddress
  uint64_t work = 0;          ///< exits, cold starts or steps one run must count
  uint64_t hltAddress = 0;    ///< where the final `hlt` is
};

inline constexpr uint64_t kKvmBenchLoadAddress = 0x8000;
inline constexpr uint64_t kKvmBenchRamMiB = 2;

/// Hand-encoded guest for `kind`; iterations must be 1..2^32-1 (throws InputError otherwise).
KvmBenchProgram makeKvmBenchProgram(KvmBench kind, uint64_t iterations);

/// What one run did. `seconds` covers the timed work only (for ColdStart: all of it).
struct KvmBenchRun {
  double seconds = 0;
  uint64_t work = 0;     ///< exits, cold starts or steps counted
  uint64_t events = 0;   ///< trace events the listener saw (backend only)
  uint64_t checksum = 0; ///< linear RIP at the end (past the final hlt)
  std::string error;     ///< empty when the run did what the program says
};

/// Plain ioctl loops: the baseline.
KvmBenchRun runBareKvm(const KvmBenchProgram &program);

/// createBackend("kvm") → load → run() with tracing on, every event streamed to a counting
/// listener (`keepEvents` also keeps them in memory); Step uses RunConfig::singleStep.
KvmBenchRun runKvmBackend(const KvmBenchProgram &program, bool keepEvents);

} // namespace ringside::cli
