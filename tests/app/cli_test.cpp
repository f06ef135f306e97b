// End-to-end tests of `ringside run`: the built binary is run as a child process and judged only by
// what a shell sees (exit status, stdout, stderr, files it writes).
#include "cli_runner.h"
#include "test_paths.h"

#include <elf.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <csignal>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace ringside::test {
namespace {

using nlohmann::json;

std::string guestPath(const std::string &relative) { return (sourceDir() / relative).string(); }
const std::string kHello = "lessons/00-hello/hello.asm";

std::string readFile(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// A run that must have exited on its own (no signal, no runner time limit).
CliResult runOk(const std::vector<std::string> &args) {
  CliResult r = runCli(args);
  EXPECT_FALSE(r.timedOut);
  EXPECT_EQ(r.signal, 0) << r.err;
  EXPECT_TRUE(r.exited);
  return r;
}

/// `ringside run GUEST ARGS… --json`: stdout must be exactly one line holding one JSON object.
json runJson(const std::string &guest, std::vector<std::string> args, int expectedStatus) {
  args.insert(args.begin(), {"run", guestPath(guest)});
  args.push_back("--json");
  const CliResult r = runOk(args);
  EXPECT_EQ(r.exitCode, expectedStatus) << r.err;
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(splitLines(r.out).size(), 1u) << r.out;
  json j = json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(j.is_object()) << r.out;
  return j;
}

TEST(CliRun, HelpExitsZero) {
  const CliResult top = runOk({"--help"});
  EXPECT_EQ(top.exitCode, 0);
  EXPECT_NE(top.out.find("run"), std::string::npos) << top.out;
  const CliResult run = runOk({"run", "--help"});
  EXPECT_EQ(run.exitCode, 0);
  EXPECT_NE(run.out.find("--max-insns"), std::string::npos) << run.out;
}

TEST(CliRun, HelloHaltsWithConsoleExitsAndRegs) {
  json j = runJson(kHello, {}, 0);
  EXPECT_EQ(j["backend"], "emu");
  EXPECT_EQ(j["stop"]["kind"], "hlt");
  EXPECT_EQ(j["stop"]["code"], 0);
  EXPECT_TRUE(j["stop"]["message"].is_string());
  const std::string console = j["console"];
  EXPECT_EQ(console, "Hello from a guest in ring 0!\n");
  // One OUT to 0xE9 per character, then the HLT that stops the guest.
  EXPECT_EQ(j["exits"]["IO_INSTRUCTION"], console.size());
  EXPECT_EQ(j["exits"]["HLT"], 1);
  EXPECT_GT(j["instructions"].get<uint64_t>(), console.size());
  EXPECT_TRUE(j["exceptions"].is_object());
  EXPECT_TRUE(j["exceptions"].empty());
  for (const char *reg : {"rax", "rbx", "rcx", "rdx",  "rsi", "rdi", "rsp", "rbp", "r8",
                          "r9",  "r10", "r11", "r12",  "r13", "r14", "r15", "rip", "rflags",
                          "cr0", "cr3", "cr4", "efer", "cs",  "ss",  "cpl"})
    EXPECT_TRUE(j["regs"].contains(reg) && j["regs"][reg].is_number_unsigned()) << reg;
  EXPECT_EQ(j["regs"]["cpl"], 0);
  EXPECT_EQ(j["regs"]["cr0"].get<uint64_t>() & 1, 0u) << "hello never leaves real mode";
  // Real mode at 0x7C00: the guest halts inside its own 512 bytes.
  EXPECT_GE(j["regs"]["rip"].get<uint64_t>(), 0x7C00u);
  EXPECT_LT(j["regs"]["rip"].get<uint64_t>(), 0x7E00u);
}

TEST(CliRun, ExitPortCodeThreeFails) {
  json j = runJson("tests/guests/exit_code.asm", {}, 1);
  EXPECT_EQ(j["stop"]["kind"], "exit-port");
  EXPECT_EQ(j["stop"]["code"], 3);
  EXPECT_EQ(j["console"], "serial\n");
}

TEST(CliRun, Ring3GuestTakesOneGpAndExitsZero) {
  json j = runJson("tests/guests/ring3_idt.asm", {}, 0);
  EXPECT_EQ(j["stop"]["kind"], "exit-port");
  EXPECT_EQ(j["stop"]["code"], 0);
  EXPECT_EQ(j["console"], "ring 3\n#GP\nback in ring 3\n");
  EXPECT_EQ(j["exceptions"]["13"], 1);
  EXPECT_EQ(j["exceptions"]["128"], 3);
}

TEST(CliRun, ModeSwitchEndsInLongMode) {
  json j = runJson("tests/guests/modes_switch.asm", {}, 0);
  EXPECT_EQ(j["stop"]["kind"], "hlt");
  EXPECT_EQ(j["console"], "RPL");
  json &regs = j["regs"];
  EXPECT_EQ(regs["rax"].get<uint64_t>(), 0x1122334455667788u) << "64-bit value survives to JSON";
  EXPECT_NE(regs["efer"].get<uint64_t>() & (1u << 10), 0u) << "EFER.LMA";
  EXPECT_NE(regs["cr0"].get<uint64_t>() & (1u << 31), 0u) << "CR0.PG";
  EXPECT_EQ(regs["cs"], 0x18);
  EXPECT_EQ(regs["cr3"], 0x70000);
}

TEST(CliRun, SpinStopsAtInstructionBudget) {
  json j = runJson("tests/guests/spin.asm", {"--max-insns", "100000"}, 1);
  EXPECT_EQ(j["stop"]["kind"], "budget");
  const auto insns = j["instructions"].get<uint64_t>();
  EXPECT_GE(insns, 100000u);
  EXPECT_LE(insns, 101000u);
}

TEST(CliRun, SpinStopsAtTimeout) {
  const CliResult r = runCli(
      {"run", guestPath("tests/guests/spin.asm"), "--max-insns", "0", "--timeout", "0.5", "--json"},
      std::chrono::seconds(10));
  ASSERT_FALSE(r.timedOut) << "--timeout 0.5 did not stop the guest within 10 s";
  EXPECT_EQ(r.exitCode, 1) << r.err;
  json j = json::parse(r.out);
  EXPECT_EQ(j["stop"]["kind"], "timeout");
  EXPECT_GT(j["instructions"].get<uint64_t>(), 0u);
}

TEST(CliRun, TripleFaultShutsDown) {
  json j = runJson("tests/guests/triple_fault.asm", {}, 1);
  EXPECT_EQ(j["stop"]["kind"], "shutdown");
  EXPECT_EQ(j["exits"]["TRIPLE_FAULT"], 1);
  // #BP cannot be delivered (#GP), nor the #GP (#DF), nor the #DF.
  for (const char *vector : {"3", "13", "8"})
    EXPECT_EQ(j["exceptions"][vector], 1) << vector;
}

TEST(CliRun, TraceIsJsonLinesEndingInStop) {
  const auto trace = scratchDir("cli_trace") / "hello.jsonl";
  json summary = runJson(kHello, {"--trace", trace.string()}, 0);
  const auto lines = splitLines(readFile(trace));
  ASSERT_FALSE(lines.empty());
  std::map<std::string, uint64_t> exits;
  std::string console;
  uint64_t lastIcount = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    json event = json::parse(lines[i], nullptr, false);
    ASSERT_TRUE(event.is_object()) << "line " << i << ": " << lines[i];
    EXPECT_EQ(event["seq"], i);
    EXPECT_GE(event["icount"].get<uint64_t>(), lastIcount) << "line " << i;
    lastIcount = event["icount"].get<uint64_t>();
    if (event["kind"] == "exit")
      ++exits[event["reason_name"]];
    if (event["kind"] == "console")
      console += event["text"].get<std::string>();
    EXPECT_EQ(event["kind"] == "stop", i + 1 == lines.size()) << "line " << i;
  }
  json stop = json::parse(lines.back());
  EXPECT_EQ(stop["reason"], summary["stop"]["kind"]);
  EXPECT_EQ(stop["icount"], summary["instructions"]);
  // The summary is computed from the same events the file holds.
  EXPECT_EQ(json(exits), summary["exits"]);
  EXPECT_EQ(console, summary["console"]);
}

TEST(CliRun, HumanOutputShowsConsoleAndStop) {
  const CliResult hello = runOk({"run", guestPath(kHello)});
  EXPECT_EQ(hello.exitCode, 0);
  EXPECT_EQ(hello.err, "");
  EXPECT_NE(hello.out.find("Hello from a guest in ring 0!\n"), std::string::npos) << hello.out;
  EXPECT_NE(hello.out.find("stop: hlt"), std::string::npos) << hello.out;
  EXPECT_NE(hello.out.find("IO_INSTRUCTION=30"), std::string::npos) << hello.out;

  const CliResult exit3 = runOk({"run", guestPath("tests/guests/exit_code.asm")});
  EXPECT_EQ(exit3.exitCode, 1);
  EXPECT_NE(exit3.out.find("serial\n"), std::string::npos) << exit3.out;
  EXPECT_NE(exit3.out.find("stop: exit-port code 3"), std::string::npos) << exit3.out;
}

TEST(CliRun, TraceIsDeterministic) {
  const auto dir = scratchDir("cli_determinism");
  std::string traces[2];
  for (int i = 0; i < 2; ++i) {
    const auto path = dir / ("run" + std::to_string(i) + ".jsonl");
    runJson("tests/guests/paging_alias.asm", {"--trace", path.string()}, 0);
    traces[i] = readFile(path);
  }
  ASSERT_NE(traces[0].find("\"kind\":\"walk\""), std::string::npos)
      << "paging guest walked no tables";
  EXPECT_TRUE(traces[0] == traces[1]) << "two runs of the same guest wrote different traces";
}

// The runner's own limit works, so a guest that never stops cannot hang the suite.
TEST(CliRunner, KillsAChildAtItsTimeLimit) {
  const CliResult r =
      runCli({"run", guestPath("tests/guests/spin.asm"), "--max-insns", "0", "--timeout", "0"},
             std::chrono::milliseconds(300));
  EXPECT_TRUE(r.timedOut);
  EXPECT_FALSE(r.exited);
  EXPECT_EQ(r.signal, SIGKILL);
}

// ---- Bad input: one line on stderr, status 2, nothing on stdout, no signal. ----

/// A 64-bit ELF executable with one PT_LOAD segment holding a HLT at 0x10000.
std::string elfImage(uint16_t machine) {
  Elf64_Ehdr eh{};
  std::memcpy(eh.e_ident, ELFMAG, SELFMAG);
  eh.e_ident[EI_CLASS] = ELFCLASS64;
  eh.e_ident[EI_DATA] = ELFDATA2LSB;
  eh.e_ident[EI_VERSION] = EV_CURRENT;
  eh.e_type = ET_EXEC;
  eh.e_machine = machine;
  eh.e_version = EV_CURRENT;
  eh.e_entry = 0x10000;
  eh.e_phoff = sizeof eh;
  eh.e_ehsize = sizeof eh;
  eh.e_phentsize = sizeof(Elf64_Phdr);
  eh.e_phnum = 1;
  Elf64_Phdr ph{};
  ph.p_type = PT_LOAD;
  ph.p_flags = PF_R | PF_X;
  ph.p_offset = sizeof eh + sizeof ph;
  ph.p_vaddr = ph.p_paddr = 0x10000;
  ph.p_filesz = ph.p_memsz = 1;
  ph.p_align = 1;
  std::string image(reinterpret_cast<const char *>(&eh), sizeof eh);
  image.append(reinterpret_cast<const char *>(&ph), sizeof ph);
  return image + "\xF4";
}

struct BadInput {
  const char *name;
  std::vector<std::string> args; ///< "@file" is a file in the case's scratch directory
  const char *stderrHas;         ///< part of the one-line reason
};

const BadInput kBadInputs[] = {
    {"MissingFile", {"run", "@nothere.asm"}, "nothere.asm"},
    {"NasmError", {"run", "@broken.asm"}, "broken.asm:3: error"},
    {"TruncatedElf", {"run", "@x.elf"}, "truncated"},
    {"ArmElf", {"run", "@arm.elf"}, "ARM"},
    {"ImageLargerThanRam", {"run", "@big.bin", "--mem", "1"}, "larger than guest RAM"},
    {"LoadOutsideRam", {"run", "@ok.asm", "--load", "0x7fffffff"}, "outside guest RAM"},
    {"BadLoadAddress", {"run", "@ok.asm", "--load", "zz"}, "zz"},
    {"UnknownEntry", {"run", "@ok.asm", "--entry", "bogus"}, "--entry"},
    {"UnknownFlag", {"run", "@ok.asm", "--bogus-flag"}, "--bogus-flag"},
    {"NoGuest", {"run"}, "GUEST"},
    {"NoSubcommand", {}, "subcommand"},
    {"ExtraArgument", {"run", "@ok.asm", "@ok.asm"}, "not expected"},
    {"UnknownBackend", {"run", "@ok.asm", "--backend", "xen"}, "--backend"},
    {"ZeroMemory", {"run", "@ok.asm", "--mem", "0"}, "--mem"},
    {"NegativeBudget", {"run", "@ok.asm", "--max-insns", "-5"}, "--max-insns"},
    {"NegativeTimeout", {"run", "@ok.asm", "--timeout", "-1"}, "--timeout"},
    {"NanTimeout", {"run", "@ok.asm", "--timeout", "nan"}, "--timeout"},
    {"TraceUnwritable", {"run", "@ok.asm", "--trace", "@no/such/dir/t.jsonl"}, "t.jsonl"},
    {"EmptyImage", {"run", "@empty.bin"}, "empty"},
    {"DirectoryAsGuest", {"run", "@"}, "guest"},
};

void PrintTo(const BadInput &c, std::ostream *os) { *os << c.name; }

class CliBadInput : public testing::TestWithParam<BadInput> {};

TEST_P(CliBadInput, OneLineReasonAndStatusTwo) {
  const BadInput &c = GetParam();
  // Each case writes its own directory: ctest may run the cases in parallel.
  const auto dir = scratchDir(std::string("cli_bad_") + c.name);
  writeFile(dir / "broken.asm", "bits 16\nmov ax, bx\nfoo bar baz\nhlt\n");
  writeFile(dir / "ok.asm", "bits 16\nhlt\n");
  writeFile(dir / "x.elf", std::string("\x7f"
                                       "ELF\x02\x01\x01\0\0\0",
                                       10));
  writeFile(dir / "arm.elf", elfImage(EM_ARM));
  writeFile(dir / "big.bin", std::string(2 << 20, '\xF4'));
  writeFile(dir / "empty.bin", "");
  std::vector<std::string> args;
  for (const auto &arg : c.args)
    args.push_back(arg.starts_with('@') ? (dir / arg.substr(1)).string() : arg);

  const CliResult r = runCli(args);
  ASSERT_FALSE(r.timedOut);
  EXPECT_EQ(r.signal, 0) << strsignal(r.signal) << "\n" << r.err;
  EXPECT_EQ(r.exitCode, 2) << r.err;
  EXPECT_EQ(r.out, "");
  const auto lines = splitLines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_TRUE(r.err.ends_with("\n"));
  EXPECT_TRUE(lines[0].starts_with("ringside: ")) << lines[0];
  EXPECT_NE(lines[0].find(c.stderrHas), std::string::npos) << lines[0];
}

INSTANTIATE_TEST_SUITE_P(Cases, CliBadInput, testing::ValuesIn(kBadInputs),
                         [](const auto &info) { return std::string(info.param.name); });

// The x86 ELF built above is accepted, so the ARM case fails for its machine alone.
TEST(CliRun, ElfFixtureRunsWhenX86) {
  const auto dir = scratchDir("cli_elf_ok");
  writeFile(dir / "ok.elf", elfImage(EM_X86_64));
  const CliResult r = runOk({"run", (dir / "ok.elf").string(), "--json"});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  EXPECT_EQ(json::parse(r.out)["stop"]["kind"], "hlt");
}

} // namespace
} // namespace ringside::test

namespace ringside::test {
namespace {

TEST(RunCommandJson, ReportsMemoryCounters) {
  auto guest = (sourceDir() / "lessons" / "10-shadow-paging" / "process.asm").string();
  auto r = runCli({"run", "--json", "--vmx-profile", "shadow-paging", guest});
  ASSERT_EQ(r.exitCode, 0) << r.err;
  auto m = nlohmann::json::parse(r.out)["memory"];
  EXPECT_GT(m["walks"].get<uint64_t>(), 0u);
  EXPECT_GE(m["walk_refs"].get<uint64_t>(), m["walks"].get<uint64_t>());
  EXPECT_EQ(m["tlb_fills"], m["walks"]);           // every emu walk fills the shadow
  EXPECT_GT(m["tlb_flushes"].get<uint64_t>(), 0u); // MOV CR3 and INVLPG
}

} // namespace
} // namespace ringside::test
