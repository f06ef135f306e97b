#pragma once
// The two guests `ringside bench` times, and one run of each on raw Unicorn or on the emu
// backend. The timed work lives here; bench_command.cpp wraps it in Google Benchmark.
#include <cstdint>
#include <string>
#include <vector>

namespace ringside::cli {

enum class BenchGuest {
  Compute, ///< register-only LCG/checksum loop: no exits, measures plain execution speed
  Exits,   ///< 9 ALU/branch instructions + one `out 0x80, al` per iteration
};

/// 32-bit guest code for 0x100000: protected-mode entry on emu, UC_MODE_32 on raw Unicorn.
/// (Not long mode: the emu backend does not yet reach a long-mode entry point at or above
/// 0xF0000; its boot-target stop loops without progress.)
struct BenchProgram {
  BenchGuest guest = BenchGuest::Compute;
  uint64_t iterations = 0;
  std::vector<uint8_t> bytes;
  uint64_t instructions = 0; ///< exact count the guest retires, `hlt` included
  uint64_t ioExits = 0;      ///< OUT instructions it executes
};

inline constexpr uint64_t kBenchLoadAddress = 0x100000;

/// Assembles the guest with nasm. Throws InputError when nasm is missing or fails.
BenchProgram makeBenchProgram(BenchGuest guest, uint64_t iterations);

/// Assembles nasm source text (nasm reads files only: through a private temporary file that is
/// always removed). Throws InputError when the file cannot be made or nasm fails.
std::vector<uint8_t> assembleBenchSource(const std::string &text);

/// What one run did. `seconds` covers the run alone, not engine or backend set-up.
struct BenchRun {
  double seconds = 0;
  uint64_t instructions = 0; ///< emu: RunResult; raw: counted by a code hook, else the program's
  uint64_t exits = 0;        ///< raw: OUT callbacks; emu: IO_INSTRUCTION exit events
  uint64_t events = 0;       ///< trace events the listener saw (emu only)
  uint64_t checksum = 0;     ///< guest EBX ^ ESI at the end: both engines must agree
  std::string error;         ///< empty when the guest halted normally
};

/// Plain Unicorn: the compute guest with an empty UC_HOOK_BLOCK, the exits guest with a
/// UC_HOOK_INSN OUT callback. `countInstructions` adds a counting UC_HOOK_CODE (slow; tests).
BenchRun runOnRawUnicorn(const BenchProgram &program, bool countInstructions = false);

/// The emu backend with tracing on and a listener counting events. `keepEvents` also keeps
/// every event in memory (the Trace default); `ringside run` streams instead.
BenchRun runOnEmu(const BenchProgram &program, bool keepEvents);

} // namespace ringside::cli
