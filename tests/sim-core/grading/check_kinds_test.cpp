// Every check kind, scored on real emu runs of small guests (in this process): each check is
// asserted both passing and failing, so a check that always passes or never does is caught.
#include "grading/case_runner.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace ringside::grading {
namespace {

namespace fs = std::filesystem;

struct Graded {
  SubmissionResult result;
  const CheckResult &check(size_t caseIndex, size_t index) const {
    return result.cases.at(caseIndex).checks.at(index);
  }
};

/// Writes the guest and the spec into a scratch folder and grades the guest in-process.
Graded grade(const std::string &test, const std::string &guest, const std::string &cases,
             const std::string &build = "") {
  const fs::path dir = test::scratchDir("grading-" + test);
  test::writeFile(dir / "student" / "main.asm", guest);
  const std::string text = "[lab]\nname = \"" + test + "\"\n[build]\nfile = \"main.asm\"\n" +
                           build + "[run]\nmax_instructions = 200000\n" + cases;
  const LabSpec spec = parseLabSpecText(text, (dir / "lab.toml").string());
  return {gradeSubmission(
      spec, {"student", (dir / "student" / "main.asm").string(), (dir / "student").string()},
      "emu")};
}

const char *kRealGuest = R"(; ringside: entry=real
bits 16
org 0x7C00
        xor ax, ax
        mov ds, ax
        mov eax, ecx
        add eax, edx            ; eax = ecx + edx (register inputs)
        mov [0x9100], eax
        mov si, 0x9000          ; the memory input: 3 characters
        mov cx, 3
.next:  lodsb
        out 0xE9, al
        loop .next
        xor eax, eax
        cpuid
        mov eax, [0x9100]
        hlt
)";

TEST(CheckKinds, ConsoleStopRegisterMemoryAndEvents) {
  const Graded g = grade("basic", kRealGuest, R"(
[[case]]
name = "inputs"
regs = { ecx = 5, edx = 7 }
memory = [{ address = 0x9000, text = "hey" }]
  [[case.check]]
  type = "console"
  exact = "hey"
  [[case.check]]
  type = "console"
  exact = "hex"
  [[case.check]]
  type = "console"
  regex = "^h.y$"
  [[case.check]]
  type = "console"
  contains = "zz"
  [[case.check]]
  type = "stop"
  kind = "hlt"
  [[case.check]]
  type = "stop"
  kind = "exit-port"
  code = 0
  [[case.check]]
  type = "register"
  reg = "eax"
  value = 12
  [[case.check]]
  type = "register"
  reg = "rax"
  value = 13
  [[case.check]]
  type = "memory"
  address = 0x9100
  u32 = [12]
  [[case.check]]
  type = "memory"
  address = 0x9100
  bytes = [12, 0, 0xAA, 0xBB]
  partial = true
  points = 4
  [[case.check]]
  type = "count"
  event = "io[port=0xe9,write=true]"
  exactly = 3
  [[case.check]]
  type = "count"
  event = "exit[reason=CPUID]"
  at_least = 2
  [[case.check]]
  type = "none"
  event = "exception"
  [[case.check]]
  type = "none"
  event = "exit[reason=CPUID]"
  [[case.check]]
  type = "sequence"
  events = ["io[port=0xe9,value=0x68]", "exit[reason=CPUID]", "exit[reason=HLT]"]
  [[case.check]]
  type = "sequence"
  events = ["io[port=0xe9]", "exit[reason=HLT]", "exit[reason=CPUID]", "stop"]
  partial = true
  points = 4
)");
  ASSERT_EQ(g.result.status, Status::Graded) << g.result.reason;
  const std::vector<bool> passed = {true, false, true, false, true, false, true, false,
                                    true, false, true, false, true, false, true, false};
  for (size_t i = 0; i < passed.size(); ++i)
    EXPECT_EQ(g.check(0, i).passed, passed[i]) << i << ": " << g.check(0, i).message;
  EXPECT_NE(g.check(0, 1).message.find("differs at byte 2"), std::string::npos);
  EXPECT_NE(g.check(0, 7).message.find("rax = 0xc, expected 0xd"), std::string::npos);
  EXPECT_DOUBLE_EQ(g.check(0, 9).points, 2.0); // 2 of 4 bytes right
  EXPECT_NE(g.check(0, 9).message.find("2 of 4 bytes differ"), std::string::npos);
  EXPECT_DOUBLE_EQ(g.check(0, 15).points, 2.0); // 2 of 4 events in order
  EXPECT_NE(g.check(0, 11).message.find("found 1, expected at least 2"), std::string::npos);
}

TEST(CheckKinds, RingTransitions) {
  std::ifstream in(test::sourceDir() / "tests" / "guests" / "ring3_idt.asm");
  const std::string guest(std::istreambuf_iterator<char>(in), {});
  const Graded g = grade("ring", guest, R"(
[[case]]
name = "ring 3"
  [[case.check]]
  type = "ring"
  from = 0
  to = 3
  [[case.check]]
  type = "ring"
  from = 3
  to = 2
  [[case.check]]
  type = "count"
  event = "exception[vector=GP]"
  exactly = 1
)");
  ASSERT_EQ(g.result.status, Status::Graded) << g.result.reason;
  EXPECT_TRUE(g.check(0, 0).passed) << g.check(0, 0).message;
  EXPECT_FALSE(g.check(0, 1).passed);
  EXPECT_TRUE(g.check(0, 2).passed) << g.check(0, 2).message;
}

TEST(CheckKinds, WalksResolveWithReferences) {
  std::ifstream in(test::sourceDir() / "tests" / "guests" / "paging_alias.asm");
  const std::string guest(std::istreambuf_iterator<char>(in), {});
  const Graded g = grade("walk", guest, R"(
[[case]]
name = "alias"
  [[case.check]]
  type = "walk"
  gva = 0x400000
  gpa = 0x200000
  refs = 2
  [[case.check]]
  type = "walk"
  gva = 0x400000
  gpa = 0x300000
  [[case.check]]
  type = "walk"
  gva = 0x400000
  gpa = 0x200000
  refs = 4
)");
  ASSERT_EQ(g.result.status, Status::Graded) << g.result.reason;
  EXPECT_TRUE(g.check(0, 0).passed) << g.check(0, 0).message;
  EXPECT_FALSE(g.check(0, 1).passed);
  EXPECT_FALSE(g.check(0, 2).passed);
}

TEST(CheckKinds, LongModeRegisterInputsHypercallsAndVmcs) {
  const Graded g = grade("hypercall", R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rbx, r9             ; r9 comes from the case's register inputs
        mov eax, 7
        vmcall
        hlt
)",
                         R"(
[[case]]
name = "call"
regs = { r9 = 0x1122334455667788, ecx = 3 }
  [[case.check]]
  type = "hypercall"
  nr = 7
  args = [0x1122334455667788, 3]
  [[case.check]]
  type = "hypercall"
  nr = 7
  args = [1]
  [[case.check]]
  type = "register"
  reg = "r9"
  value = 0x1122334455667788
  [[case.check]]
  type = "vmcs"
  field = "VM_EXIT_REASON"
  value = 12
  [[case.check]]
  type = "vmcs"
  field = "VM_EXIT_REASON"
  value = 18
)");
  ASSERT_EQ(g.result.status, Status::Graded) << g.result.reason;
  const std::vector<bool> passed = {true, false, true, true, false};
  for (size_t i = 0; i < passed.size(); ++i)
    EXPECT_EQ(g.check(0, i).passed, passed[i]) << i << ": " << g.check(0, i).message;
  EXPECT_NE(g.check(0, 4).message.find("VM_EXIT_REASON = 0xc, expected 0x12"), std::string::npos);
}

TEST(CheckKinds, ProtectedModeRegisterInputs) {
  const Graded g = grade("protected", R"(; ringside: entry=protected load=0x10000
bits 32
org 0x10000
        mov [0x9100], eax
        hlt
)",
                         R"(
[[case]]
name = "eax"
regs = { eax = 0x12345678 }
  [[case.check]]
  type = "memory"
  address = 0x9100
  u32 = [0x12345678]
)");
  ASSERT_EQ(g.result.status, Status::Graded) << g.result.reason;
  EXPECT_TRUE(g.check(0, 0).passed) << g.check(0, 0).message;
}

TEST(CheckKinds, BuildErrorsFailEveryCheckWithTheReason) {
  const Graded g = grade("broken", "bits 16\n  mov ax, [bx+cx+dx]\n", R"(
[[case]]
name = "a"
  [[case.check]]
  type = "stop"
  kind = "hlt"
  points = 3
)");
  EXPECT_EQ(g.result.status, Status::BuildError);
  EXPECT_NE(g.result.reason.find("main.asm:2"), std::string::npos) << g.result.reason;
  EXPECT_EQ(g.result.reason.find(test::sourceDir().string()), std::string::npos);
  EXPECT_DOUBLE_EQ(g.result.score(), 0);
  EXPECT_DOUBLE_EQ(g.result.maxScore(), 3);
  EXPECT_NE(g.check(0, 0).message.find("build-error"), std::string::npos);
}

TEST(CheckKinds, OversizedSubmissionsAreRefusedBeforeBuilding) {
  const Graded g = grade("oversized", std::string(4096, ';') + "\nhlt\n", R"(
[[case]]
name = "a"
  [[case.check]]
  type = "stop"
  kind = "hlt"
)",
                         "max_bytes = 1000\n");
  EXPECT_EQ(g.result.status, Status::BuildError);
  EXPECT_NE(g.result.reason.find("at most 1000"), std::string::npos) << g.result.reason;
}

} // namespace
} // namespace ringside::grading
