// Lab specs: a good spec reads; every kind of mistake is one error naming file, line and key.
#include "errors.h"
#include "grading/lab_spec.h"

#include <gtest/gtest.h>

namespace ringside::grading {
namespace {

const std::string kHeader = R"([lab]
name = "t"
[build]
file = "main.asm"
)";

std::string errorOf(const std::string &text) {
  try {
    parseLabSpecText(text, "lab.toml");
  } catch (const InputError &e) {
    return e.what();
  }
  return "no error";
}

TEST(LabSpec, ReadsAFullSpec) {
  const LabSpec spec = parseLabSpecText(kHeader + R"(entry = "protected"
load = 0x10000
[run]
max_instructions = 5000
timeout_seconds = 2.5
console_bytes = 100
[limits]
cpu_seconds = 7
[[case]]
name = "a"
regs = { eax = 1, r15 = -1 }
memory = [{ address = 0x9000, text = "hi" }, { address = 0x9100, u32 = [1, 0xffffffff] }]
  [[case.check]]
  type = "console"
  regex = "^h"
  points = 2.5
  [[case.check]]
  type = "walk"
  gva = 0x400000
  gpa = 0x200000
  refs = 2
  [[case.check]]
  type = "vmcs"
  field = "GUEST_RIP"
  value = 0x10000
[[case]]
name = "b"
hidden = true
  [[case.check]]
  type = "sequence"
  events = ["exit[reason=CPUID]", "stop"]
  partial = true
)",
                                        "lab.toml");
  EXPECT_EQ(spec.name, "t");
  EXPECT_EQ(spec.entry, EntryMode::Protected);
  EXPECT_EQ(spec.load, 0x10000u);
  EXPECT_EQ(spec.budgets.maxInstructions, 5000u);
  EXPECT_DOUBLE_EQ(spec.budgets.timeoutSeconds, 2.5);
  EXPECT_DOUBLE_EQ(spec.limits.cpuSeconds, 7);
  ASSERT_EQ(spec.cases.size(), 2u);
  EXPECT_EQ(spec.cases[0].regs[1].second, ~uint64_t{0});
  ASSERT_EQ(spec.cases[0].memory.size(), 2u);
  EXPECT_EQ(spec.cases[0].memory[1].bytes.size(), 8u);
  EXPECT_EQ(spec.cases[0].checks[1].query.text, "walk[gva=4194304,ok=true,gpa=2097152,refs=2]");
  EXPECT_EQ(spec.cases[0].checks[2].vmcsEncoding, 0x681Eu);
  EXPECT_TRUE(spec.cases[1].hidden);
  EXPECT_DOUBLE_EQ(spec.maxPoints(), 2.5 + 1 + 1 + 1);
}

TEST(LabSpec, ErrorsNameFileLineAndKey) {
  EXPECT_EQ(errorOf("[lab\nname=1"), errorOf("[lab\nname=1")); // deterministic
  EXPECT_NE(errorOf("[lab\n").find("lab.toml:1"), std::string::npos);
  EXPECT_NE(errorOf("[build]\nfile=\"x\"\n").find("lab: missing [lab]"), std::string::npos);
  EXPECT_NE(errorOf(kHeader).find("case: a lab needs at least one"), std::string::npos);
  const std::string one = "[[case]]\nname = \"a\"\n  [[case.check]]\n";
  EXPECT_NE(errorOf(kHeader + one + "  type = \"consol\"\n")
                .find("lab.toml:8: case[0].check[0].type: unknown check type 'consol'"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + one + "  type = \"stop\"\n  kind = \"halt\"\n")
                .find("case[0].check[0].kind: unknown stop kind 'halt'"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + one +
                    "  type = \"count\"\n  event = \"exit[reasn=1]\"\n  "
                    "exactly = 1\n")
                .find("lab.toml:9: case[0].check[0].event: bad event selector"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + one + "  type = \"stop\"\n  kind = \"hlt\"\n  pionts = 2\n")
                .find("case[0].check[0].pionts: unknown key"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + one + "  type = \"console\"\n  regex = \"(\"\n")
                .find("invalid regular expression"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + one + "  type = \"console\"\n")
                .find("needs exactly one of exact, contains, regex"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + one + "  type = \"register\"\n  reg = \"rzx\"\n  value = 1\n")
                .find("unknown register 'rzx'"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + one + "  type = \"vmcs\"\n  field = \"GUEST_RIPP\"\n  value = 1\n")
                .find("unknown VMCS field 'GUEST_RIPP'"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + one + "  type = \"memory\"\n  address = 0\n  u16 = [70000]\n")
                .find("does not fit in 16 bits"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + one + "  type = \"stop\"\n  kind = \"hlt\"\n  partial = true\n")
                .find("partial credit applies to memory and sequence"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + "[run]\nmax_instructions = 0\n" + one +
                    "  type = \"stop\"\n  kind = \"hlt\"\n")
                .find("run.max_instructions: must be above 0"),
            std::string::npos);
  EXPECT_NE(
      errorOf(kHeader + "[run]\nmmu = \"npt\"\n" + one + "  type = \"stop\"\n  kind = \"hlt\"\n")
          .find("run.mmu: expected native, shadow or ept"),
      std::string::npos);
  EXPECT_EQ(parseLabSpecText(kHeader + "[run]\nmmu = \"ept\"\n" + one +
                                 "  type = \"stop\"\n  kind = \"hlt\"\n",
                             "lab.toml")
                .mmu,
            "ept");
  EXPECT_NE(errorOf(kHeader + "[[case]]\nname = \"a\"\nregs = { rip = 1 }\n  [[case.check]]\n  "
                              "type = \"stop\"\n  kind = \"hlt\"\n")
                .find("case[0].regs.rip: register inputs are general registers only"),
            std::string::npos);
  EXPECT_NE(errorOf(kHeader + one + "  type = \"stop\"\n  kind = \"hlt\"\n" + one +
                    "  type = \"stop\"\n  kind = \"hlt\"\n")
                .find("two cases are named 'a'"),
            std::string::npos);
  EXPECT_NE(errorOf("[lab]\nname = \"t\"\n[build]\nfile = \"../x.asm\"\n")
                .find("build.file: a plain file name"),
            std::string::npos);
}

TEST(LabSpec, MissingFileIsAnInputError) {
  EXPECT_THROW(parseLabSpec("/nonexistent/lab.toml"), InputError);
}

} // namespace
} // namespace ringside::grading
