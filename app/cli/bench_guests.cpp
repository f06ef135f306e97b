#include "bench_guests.h"

#include "arch/exit_reasons.h"
#include "backend/backend.h"
#include "errors.h"
#include "guest/nasm_assembler.h"

#include <unicorn/unicorn.h>

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace ringside::cli {
namespace {

// Both guests are 32-bit, start at the load address and end with `hlt`. The final EBX ^ ESI is
// the checksum both engines must agree on. `prologue + iterations * body + epilogue` is the
// exact number of instructions each retires; keep the counts in step with the source.
struct GuestSource {
  BenchGuest guest;
  const char *name;
  const char *source;
  uint64_t prologue, body, epilogue, outsPerIteration;
};

constexpr GuestSource kGuests[] = {
    {BenchGuest::Compute, "compute", R"(bits 32
    mov ecx, ITERATIONS
    mov eax, 0x89abcdef
    mov edx, 0x4c957f2d             ; odd multiplier: an LCG step per iteration
    xor ebx, ebx
    xor esi, esi
.loop:                              ; 20 instructions, registers only
    imul eax, edx
    add eax, 0x3039
    mov edi, eax
    shr edi, 13
    xor ebx, edi
    rol ebx, 7
    add ebx, eax
    mov ebp, ebx
    and ebp, 0xffff
    add esi, ebp
    xor esi, eax
    ror esi, 11
    lea edi, [esi + ebx*2]
    sub edi, ecx
    xor eax, edi
    mov ebp, esi
    shl ebp, 3
    add ebx, ebp
    dec ecx
    jnz .loop
    hlt
)",
     5, 20, 1, 0},
    {BenchGuest::Exits, "exits", R"(bits 32
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

std::vector<uint8_t> assembleBenchSource(const std::string &text) {
  char path[] = "/tmp/ringside-bench-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0)
    throw InputError(std::string("cannot create a temporary file: ") + std::strerror(errno));
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
  return out.bytes;
}

BenchProgram makeBenchProgram(BenchGuest guest, uint64_t iterations) {
  const GuestSource &g = sourceOf(guest);
  if (iterations == 0 || iterations > 0xFFFFFFFFu)
    throw InputError("bench iterations must be between 1 and 2^32-1");
  std::vector<uint8_t> bytes =
      assembleBenchSource("%define ITERATIONS " + std::to_string(iterations) + "\n" + g.source);

  BenchProgram p;
  p.guest = guest;
  p.iterations = iterations;
  p.bytes = std::move(bytes);
  p.instructions = g.prologue + iterations * g.body + g.epilogue;
  p.ioExits = iterations * g.outsPerIteration;
  return p;
}

BenchRun runOnRawUnicorn(const BenchProgram &program, bool countInstructions) {
  BenchRun run;
  uc_engine *raw = nullptr;
  if (uc_err err = uc_open(UC_ARCH_X86, UC_MODE_32, &raw); err != UC_ERR_OK) {
    run.error = ucError("uc_open", err);
    return run;
  }
  std::unique_ptr<uc_engine, EngineCloser> uc(raw);
  // UC_MODE_32's reset state is flat 32-bit protected mode, paging off: the emu's entry state.
  constexpr size_t kRegion = size_t{64} * 1024;
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
  uint32_t eip = 0, ebx = 0, esi = 0;
  uc_reg_read(uc.get(), UC_X86_REG_EIP, &eip);
  uc_reg_read(uc.get(), UC_X86_REG_EBX, &ebx);
  uc_reg_read(uc.get(), UC_X86_REG_ESI, &esi);
  if (err != UC_ERR_OK)
    run.error = ucError("uc_emu_start", err);
  else if (eip != end)
    run.error = "raw guest stopped before its final hlt";
  run.instructions = countInstructions ? state.instructions : program.instructions;
  run.exits = state.outs;
  run.checksum = ebx ^ esi;
  return run;
}

BenchRun runOnEmu(const BenchProgram &program, bool keepEvents) {
  BenchRun run;
  GuestImage image;
  image.path = std::string("bench:") + sourceOf(program.guest).name;
  image.segments.push_back(ImageSegment{kBenchLoadAddress, program.bytes, program.bytes.size()});
  image.entry = kBenchLoadAddress;
  image.entryMode = EntryMode::Protected;
  RunConfig config;
  config.maxInstructions = 0; // the bench decides the length, not a budget
  config.timeoutSeconds = 60; // a stuck guest fails the benchmark instead of hanging it

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
  run.checksum = (result.regs.gpr[3] ^ result.regs.gpr[6]) & 0xFFFFFFFF; // EBX ^ ESI
  if (result.stop.kind != StopKind::Hlt)
    run.error = "emu guest did not halt: " + result.stop.message;
  return run;
}

} // namespace ringside::cli
