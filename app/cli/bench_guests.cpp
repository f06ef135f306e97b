#include "bench_guests.h"

#include "arch/exit_reasons.h"
#include "backend/backend.h"
#include "errors.h"
#include "guest/nasm_assembler.h"

#include <unicorn/unicorn.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace ringside::cli {
namespace {

// Both guests are 64-bit, start at the load address and end with `hlt`. The final RBX ^ RSI is
// the checksum both engines must agree on. `prologue + iterations * body + epilogue` is the
// exact number of instructions each retires; keep the counts in step with the source.
struct GuestSource {
  BenchGuest guest;
  const char *name;
  const char *source;
  uint64_t prologue, body, epilogue, outsPerIteration;
};

constexpr GuestSource kGuests[] = {
    {BenchGuest::Compute, "compute", R"(bits 64
    mov ecx, ITERATIONS
    mov rax, 0x0123456789abcdef
    mov rdx, 0x5851f42d4c957f2d     ; PCG multiplier
    xor ebx, ebx
    xor esi, esi
.loop:                              ; 20 instructions, registers only
    imul rax, rdx
    add rax, 0x3039
    mov rdi, rax
    shr rdi, 29
    xor rbx, rdi
    rol rbx, 7
    add rbx, rax
    mov r8, rbx
    and r8d, 0xffff
    add rsi, r8
    xor rsi, rax
    ror rsi, 11
    lea r9, [rsi + rbx*2]
    sub r9, rcx
    xor rax, r9
    mov r10, rsi
    shl r10, 3
    add rbx, r10
    dec ecx
    jnz .loop
    hlt
)",
     5, 20, 1, 0},
    {BenchGuest::Exits, "exits", R"(bits 64
    mov ecx, ITERATIONS
    mov eax, 1
    xor ebx, ebx
    xor esi, esi
.loop:                              ; 10 instructions, one of them an I/O exit
    add ebx, eax
    xor esi, ebx
    rol eax, 3
    add eax, ecx
    sub esi, eax
    or ebx, 0x10
    and eax, 0xffff
    out 0x80, al                    ; POST diagnostic port: no device, just the exit
    dec ecx
    jnz .loop
    hlt
)",
     4, 10, 1, 1},
};

const GuestSource &sourceOf(BenchGuest guest) {
  for (const auto &g : kGuests)
    if (g.guest == guest)
      return g;
  throw InputError("unknown bench guest");
}

double secondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct RawState {
  uint64_t instructions = 0;
  uint64_t outs = 0;
};

void emptyBlockHook(uc_engine *, uint64_t, uint32_t, void *) {}

void countCodeHook(uc_engine *, uint64_t, uint32_t, void *state) {
  ++static_cast<RawState *>(state)->instructions;
}

void countOutHook(uc_engine *, uint32_t, int, uint32_t, void *state) {
  ++static_cast<RawState *>(state)->outs;
}

struct EngineCloser {
  void operator()(uc_engine *uc) const { uc_close(uc); }
};
struct FreeDeleter {
  void operator()(void *p) const { std::free(p); }
};

std::string ucError(const char *what, uc_err err) {
  return std::string(what) + ": " + uc_strerror(err);
}

} // namespace

BenchProgram makeBenchProgram(BenchGuest guest, uint64_t iterations) {
  const GuestSource &g = sourceOf(guest);
  if (iterations == 0 || iterations > 0xFFFFFFFFu)
    throw InputError("bench iterations must be between 1 and 2^32-1");
  // nasm reads files only: write the source to a private temporary file.
  char path[] = "/tmp/ringside-bench-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    throw InputError(std::string("cannot create a temporary file: ") + std::strerror(errno));
  std::string text = "%define ITERATIONS " + std::to_string(iterations) + "\n" + g.source;
  bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  close(fd);
  NasmOutput out;
  try {
    if (!written)
      throw InputError(std::string("cannot write ") + path);
    out = assembleWithNasm(path);
  } catch (...) {
    unlink(path);
    throw;
  }
  unlink(path);

  BenchProgram p;
  p.guest = guest;
  p.iterations = iterations;
  p.bytes = std::move(out.bytes);
  p.instructions = g.prologue + iterations * g.body + g.epilogue;
  p.ioExits = iterations * g.outsPerIteration;
  return p;
}

BenchRun runOnRawUnicorn(const BenchProgram &program, bool countInstructions) {
  BenchRun run;
  uc_engine *raw = nullptr;
  if (uc_err err = uc_open(UC_ARCH_X86, UC_MODE_64, &raw); err != UC_ERR_OK) {
    run.error = ucError("uc_open", err);
    return run;
  }
  std::unique_ptr<uc_engine, EngineCloser> uc(raw);
  // Flat 64-bit mode with paging off (UC_MODE_64's reset state) runs this code as is.
  constexpr size_t kRegion = 64 * 1024;
  if (program.bytes.size() > kRegion) {
    run.error = "bench guest larger than its region";
    return run;
  }
  std::unique_ptr<void, FreeDeleter> memory(std::aligned_alloc(4096, kRegion));
  std::memset(memory.get(), 0, kRegion);
  std::memcpy(memory.get(), program.bytes.data(), program.bytes.size());
  if (uc_err err = uc_mem_map_ptr(uc.get(), kBenchLoadAddress, kRegion, UC_PROT_ALL, memory.get());
      err != UC_ERR_OK) {
    run.error = ucError("uc_mem_map_ptr", err);
    return run;
  }

  RawState state;
  uc_hook hook;
  if (program.guest == BenchGuest::Compute)
    uc_hook_add(uc.get(), &hook, UC_HOOK_BLOCK, reinterpret_cast<void *>(emptyBlockHook), &state, 1,
                0);
  else
    uc_hook_add(uc.get(), &hook, UC_HOOK_INSN, reinterpret_cast<void *>(countOutHook), &state, 1, 0,
                UC_X86_INS_OUT);
  if (countInstructions)
    uc_hook_add(uc.get(), &hook, UC_HOOK_CODE, reinterpret_cast<void *>(countCodeHook), &state, 1,
                0);

  uint64_t end = kBenchLoadAddress + program.bytes.size();
  auto start = std::chrono::steady_clock::now();
  uc_err err = uc_emu_start(uc.get(), kBenchLoadAddress, end, 0, 0);
  run.seconds = secondsSince(start);
  uint64_t rip = 0, rbx = 0, rsi = 0;
  uc_reg_read(uc.get(), UC_X86_REG_RIP, &rip);
  uc_reg_read(uc.get(), UC_X86_REG_RBX, &rbx);
  uc_reg_read(uc.get(), UC_X86_REG_RSI, &rsi);
  if (err != UC_ERR_OK)
    run.error = ucError("uc_emu_start", err);
  else if (rip != end)
    run.error = "raw guest stopped before its final hlt";
  run.instructions = countInstructions ? state.instructions : program.instructions;
  run.exits = state.outs;
  run.checksum = rbx ^ rsi;
  return run;
}

BenchRun runOnEmu(const BenchProgram &program, bool keepEvents) {
  BenchRun run;
  GuestImage image;
  image.path = std::string("bench:") + sourceOf(program.guest).name;
  image.segments.push_back(ImageSegment{kBenchLoadAddress, program.bytes, program.bytes.size()});
  image.entry = kBenchLoadAddress;
  image.entryMode = EntryMode::Long;
  RunConfig config;
  config.maxInstructions = 0; // the bench decides the length, not a budget
  config.timeoutSeconds = 0;

  std::unique_ptr<Backend> backend = createBackend("emu");
  backend->load(image, config);
  // Tracing stays on: every event reaches a listener, as in `ringside run`.
  backend->trace().setKeepEvents(keepEvents);
  uint64_t events = 0, exits = 0;
  backend->trace().addListener([&](const Event &e) {
    ++events;
    if (const auto *exit = std::get_if<ExitEvent>(&e.body);
        exit && exit->reason == exit_reason::IoInstruction)
      ++exits;
  });

  auto start = std::chrono::steady_clock::now();
  RunResult result = backend->run();
  run.seconds = secondsSince(start);
  run.instructions = result.instructions;
  run.exits = exits;
  run.events = events;
  run.checksum = result.regs.gpr[3] ^ result.regs.gpr[6]; // RBX ^ RSI
  if (result.stop.kind != StopKind::Hlt)
    run.error = "emu guest did not halt: " + result.stop.message;
  return run;
}

} // namespace ringside::cli
