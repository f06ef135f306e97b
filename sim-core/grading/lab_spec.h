#pragma once
// A lab spec: how to build a submission, where to run it, with which budgets, and the test
// cases with their checks and points. Written in TOML (docs/grading.md); parseLabSpec reports
// the first problem as one InputError naming the file, the line and the key.
#include "grading/event_query.h"
#include "guest/image.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringside::grading {

enum class CheckType : uint8_t {
  Console,   ///< console output: exact, contains or regex
  Stop,      ///< how the run ended (kind, exit code)
  Register,  ///< a final register value (under a mask)
  Memory,    ///< guest RAM bytes at the end
  Count,     ///< events matching a selector: exactly / at least / at most N
  Sequence,  ///< selectors matched in this order
  None,      ///< no event matches a selector
  Ring,      ///< a ring transition happens (from/to)
  Walk,      ///< a walk for a GVA resolves (to a GPA, with R memory references)
  Hypercall, ///< a hypercall with this number and these arguments
  Vmcs,      ///< a VMCS field's value at the end of the run
};
const char *checkTypeName(CheckType type);

/// Bytes placed at, or expected at, a guest-physical address.
struct MemoryBlock {
  uint64_t address = 0;
  std::vector<uint8_t> bytes;
};

struct Check {
  std::string name;
  CheckType type = CheckType::Stop;
  double points = 1;
  bool partial = false; ///< memory and sequence checks: credit in proportion to what matched
  // Console
  std::optional<std::string> exact, contains, regex;
  // Stop
  std::optional<StopKind> stopKind;
  std::optional<int64_t> exitCode;
  // Register / Vmcs
  std::string reg;           ///< register name (Register)
  uint32_t vmcsEncoding = 0; ///< (Vmcs)
  uint64_t value = 0;        ///< expected value (Register, Vmcs)
  uint64_t mask = ~uint64_t{0};
  // Memory
  MemoryBlock memory;
  // Count, None, Ring, Walk, Hypercall: one selector (the sugar types build theirs)
  EventQuery query;
  std::optional<uint64_t> exactly, atLeast, atMost;
  // Sequence
  std::vector<EventQuery> sequence;
};

struct TestCase {
  std::string name;
  bool hidden = false; ///< scored, but students see neither its checks nor its messages
  std::vector<std::pair<std::string, uint64_t>> regs; ///< register inputs (via an entry stub)
  uint64_t stubAddress = 0x7A00;                      ///< where the register-setting stub goes
  std::vector<MemoryBlock> memory;                    ///< memory inputs
  std::vector<Check> checks;
  double maxPoints() const;
};

struct Budgets {
  uint64_t maxInstructions = 1'000'000;
  double timeoutSeconds = 5.0;    ///< per case, wall clock inside the engine
  uint64_t consoleBytes = 65536;  ///< console output beyond this stops the run
  uint64_t maxEvents = 2'000'000; ///< events kept for checks; beyond this the run stops
};

/// Limits of the child process a submission is graded in.
struct ProcessLimits {
  double cpuSeconds = 30;
  /// Address space, not resident memory: Unicorn alone reserves 2 GiB for translated code.
  uint64_t memoryMiB = 4096;
  uint64_t fileMiB = 64;  ///< largest file the child (and nasm) may write
  double wallSeconds = 0; ///< 0: derived from the budgets (cases × timeout + slack)
};

struct LabSpec {
  std::string path; ///< the spec file
  std::string name;
  std::string file; ///< the submission's file name inside a student's folder
  std::optional<EntryMode> entry;
  std::optional<uint64_t> load;
  uint64_t maxBytes = 1u << 20; ///< a larger submission file is refused before building
  std::string backend = "emu";
  std::string virt = "vtx";   ///< the technique on the emu backend (--virt)
  std::string mmu = "native"; ///< the emu backend's memory model (--mmu: native, shadow, ept)
  bool allowKvm = false;
  std::string vmxProfile;
  uint64_t memMiB = 16;
  Budgets budgets;
  ProcessLimits limits;
  std::vector<TestCase> cases;
  double maxPoints() const;
};

/// Reads and validates a spec. Throws InputError("FILE:LINE: KEY: what is wrong").
LabSpec parseLabSpec(const std::string &path);
/// The same from text (tests); `path` names it in errors.
LabSpec parseLabSpecText(const std::string &text, const std::string &path);

/// Register names a check or an input can use: rax…r15, eax…r15d (low 32 bits), rip, rflags,
/// cr0, cr2, cr3, cr4, efer, cs, ss, cpl.
bool isRegisterName(const std::string &name);

} // namespace ringside::grading
