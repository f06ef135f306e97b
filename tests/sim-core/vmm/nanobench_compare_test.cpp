// Lesson 04's nanobenchmark guest under every technique, priced by the cost model: the
// per-operation ordering of Adams & Agesen's table (ASPLOS 2006) must come out of the traces.
#include "guest/image_loader.h"
#include "platform/platform.h"
#include "test_paths.h"
#include "vmm/technique_compare.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace ringside::test {
namespace {

constexpr uint64_t kN = 16; // the guest's repetitions per phase

struct Runs {
  std::map<std::string, TechniqueRun> row; ///< "native" … "vtx" under shadow, "vtx-ept"
  std::map<std::string, std::string> console;
};

void add(Runs &runs, const GuestImage &image, std::vector<std::string> virt, const std::string &mmu,
         const std::string &profile, const std::string &suffix) {
  Backend *current = nullptr;
  std::vector<std::string> consoles;
  CompareRequest request{virt, profile, 5'000'000, 10.0, mmu};
  auto rows = compareTechniques(image, request, [&](Backend *b) {
    if (!b && current)
      consoles.push_back(current->platform().console());
    current = b;
  });
  ASSERT_EQ(rows.size(), virt.size());
  for (size_t i = 0; i < rows.size(); ++i) {
    runs.row.emplace(virt[i] + suffix, rows[i]);
    runs.console[virt[i] + suffix] = consoles.at(i);
  }
}

const Runs &nanobenchRuns() {
  static const Runs runs = [] {
    Runs r;
    GuestImage image = loadGuestImage(
        (sourceDir() / "lessons" / "04-binary-translation" / "nanobench.asm").string());
    // The paper's VT-x had no EPT: its VMM intercepted #PF, INVLPG and CR3 (the
    // shadow-paging profile); today's runs on EPT with the kvm-like one.
    add(r, image, {"native", "trap", "bt", "pv", "vtx"}, "shadow", "shadow-paging", "");
    add(r, image, {"vtx"}, "ept", "kvm-like", "-ept");
    return r;
  }();
  return runs;
}

OpTotal op(const std::string &run, std::string_view name) {
  const TechniqueRun &r = nanobenchRuns().row.at(run);
  for (const auto &o : nanobenchOps())
    if (o.name == name)
      return opTotal(o, r.counts, r.cost);
  ADD_FAILURE() << "no operation " << name;
  return {};
}

double cycles(const std::string &run, std::string_view name) { return op(run, name).cycles; }

TEST(NanobenchCompare, RunsTheSameUnderEveryTechniqueAndMmu) {
  const auto &runs = nanobenchRuns();
  const TechniqueRun &native = runs.row.at("native");
  EXPECT_EQ(native.result.stop.kind, StopKind::ExitPort) << native.result.stop.message;
  EXPECT_EQ(native.result.stop.code, 0);
  EXPECT_EQ(runs.console.at("native"), "ok\n");
  for (const auto &[name, r] : runs.row) {
    SCOPED_TRACE(name);
    EXPECT_EQ(r.result.stop.kind, StopKind::ExitPort) << r.result.stop.message;
    EXPECT_EQ(r.result.stop.code, 0);
    EXPECT_EQ(runs.console.at(name), "ok\n");
    EXPECT_EQ(r.result.regs.gpr, native.result.regs.gpr); // the sums, counts and pointers
    EXPECT_EQ(r.result.regs.rip, native.result.regs.rip);
  }
}

TEST(NanobenchCompare, CountsEachOperationTheSameWhereTheTraceShowsIt) {
  for (const auto &[name, r] : nanobenchRuns().row) {
    SCOPED_TRACE(name);
    EXPECT_EQ(op(name, "ptemod").count, kN); // every rewrite, whatever the technique or MMU
    EXPECT_EQ(op(name, "pgfault").count, kN);
    EXPECT_EQ(op(name, "divzero").count, kN);
    EXPECT_EQ(op(name, "syscall").count, kN + 1); // and the exit call
    EXPECT_EQ(op(name, "in").count, kN + 4);      // and "ok\n" and the exit port
  }
  // Only the translator sees a RET: the guest's 16 calls plus set_gate's 4.
  EXPECT_EQ(op("bt", "call/ret").count, kN + 4);
  EXPECT_EQ(op("native", "call/ret").count, 0u);
  // The shadow pager write-protects the live tables, so the rewrites are emulated writes (and
  // the #PF handler's stores too); under EPT nothing is write-protected.
  const auto &runs = nanobenchRuns();
  EXPECT_GE(runs.row.at("vtx").mmu.at("emulated_writes"), kN);
  EXPECT_EQ(runs.row.at("vtx-ept").mmu.count("emulated_writes"), 0u);
  EXPECT_EQ(runs.row.at("vtx").counts[CostOp::PteMod], kN);
  EXPECT_EQ(runs.row.at("vtx-ept").counts[CostOp::PteStore], kN);
}

TEST(NanobenchCompare, ReproducesThePapersOrderingPerOperation) {
  // in: BT < native < VT-x.
  EXPECT_LT(cycles("bt", "in"), cycles("native", "in"));
  EXPECT_LT(cycles("native", "in"), cycles("vtx", "in"));
  // ptemod: native < BT << VT-x with shadow paging; with EPT as cheap as native.
  EXPECT_LT(cycles("native", "ptemod"), cycles("bt", "ptemod"));
  EXPECT_GT(cycles("vtx", "ptemod"), 10 * cycles("bt", "ptemod"));
  EXPECT_EQ(cycles("vtx-ept", "ptemod"), cycles("native", "ptemod"));
  // pgfault: native < BT < VT-x with shadow paging; with EPT a guest fault does not exit.
  EXPECT_LT(cycles("native", "pgfault"), cycles("bt", "pgfault"));
  EXPECT_LT(cycles("bt", "pgfault"), cycles("vtx", "pgfault"));
  EXPECT_EQ(cycles("vtx-ept", "pgfault"), cycles("native", "pgfault"));
  // divzero: native < VT-x < BT.
  EXPECT_LT(cycles("native", "divzero"), cycles("vtx", "divzero"));
  EXPECT_LT(cycles("vtx", "divzero"), cycles("bt", "divzero"));
  // call/ret and syscall: native = VT-x < BT.
  EXPECT_EQ(cycles("native", "call/ret"), cycles("vtx", "call/ret"));
  EXPECT_LT(cycles("vtx", "call/ret"), cycles("bt", "call/ret"));
  EXPECT_EQ(cycles("native", "syscall"), cycles("vtx", "syscall"));
  EXPECT_LT(cycles("vtx", "syscall"), cycles("bt", "syscall"));
}

} // namespace
} // namespace ringside::test
