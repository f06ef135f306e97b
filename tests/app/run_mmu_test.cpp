// `ringside run --mmu native|shadow|ept`: the memory block of `--json` says which model the emu
// backend executed through and reports its counters (docs/memory.md).
#include "cli_runner.h"
#include "test_paths.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace ringside::test {
namespace {

nlohmann::json runJson(const std::string &mmu) {
  auto guest = (sourceDir() / "lessons" / "10-shadow-paging" / "process.asm").string();
  auto r = runCli({"run", "--json", "--mmu", mmu, guest});
  EXPECT_EQ(r.exitCode, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(RunMmu, JsonReportsTheModelsCountersForTheModeUsed) {
  const auto native = runJson("native");
  EXPECT_FALSE(native["memory"].contains("mmu")) << "native keeps the backend's own walker";
  const auto shadow = runJson("shadow");
  EXPECT_EQ(shadow["memory"]["mmu"], "shadow");
  EXPECT_GT(shadow["memory"]["shadow_faults"]["hidden"].get<uint64_t>(), 0u);
  EXPECT_GT(shadow["memory"]["walk_refs"].get<uint64_t>(), 0u);
  EXPECT_GT(shadow["memory"]["tlb_misses"].get<uint64_t>(), 0u);
  const auto ept = runJson("ept");
  EXPECT_EQ(ept["memory"]["mmu"], "ept");
  EXPECT_EQ(ept["memory"]["shadow_faults"]["hidden"], 0);
  EXPECT_GT(ept["memory"]["model"]["walk_refs"].get<uint64_t>(),
            shadow["memory"]["model"]["walk_refs"].get<uint64_t>())
      << "2-D walks reference more memory";
  // The guest cannot tell: same console, same registers.
  EXPECT_EQ(shadow["console"], native["console"]);
  EXPECT_EQ(ept["console"], native["console"]);
  EXPECT_EQ(shadow["regs"], native["regs"]);
  EXPECT_EQ(ept["regs"], native["regs"]);
}

TEST(RunMmu, AnUnknownModelIsAUsageError) {
  auto guest = (sourceDir() / "lessons" / "10-shadow-paging" / "process.asm").string();
  auto r = runCli({"run", "--mmu", "nested", guest});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.err.find("--mmu"), std::string::npos) << r.err;
}

} // namespace
} // namespace ringside::test
