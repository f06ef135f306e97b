// Smoke tests of `ringside bench` with tiny guests: the engines must do the same work.
// Nothing here asserts a speed.
#include "cli/bench_command.h"
#include "cli/bench_guests.h"

#include <gtest/gtest.h>

namespace ringside::cli {
namespace {

TEST(BenchGuests, RawAndEmuRetireTheSameInstructionsOnTheComputeGuest) {
  BenchProgram p = makeBenchProgram(BenchGuest::Compute, 50);
  EXPECT_EQ(p.instructions, 5u + 50u * 20u + 1u);
  BenchRun raw = runOnRawUnicorn(p, /*countInstructions=*/true);
  BenchRun emu = runOnEmu(p, /*keepEvents=*/true);
  ASSERT_EQ(raw.error, "");
  ASSERT_EQ(emu.error, "");
  // The raw count comes from a code hook here, so the program's formula is checked too.
  EXPECT_EQ(raw.instructions, p.instructions);
  EXPECT_EQ(emu.instructions, raw.instructions);
  EXPECT_EQ(emu.checksum, raw.checksum);
  EXPECT_NE(raw.checksum, 0u);
  EXPECT_EQ(emu.exits, 0u);
}

TEST(BenchGuests, EmuTakesOneIoExitPerIterationOnTheExitsGuest) {
  BenchProgram p = makeBenchProgram(BenchGuest::Exits, 37);
  EXPECT_EQ(p.ioExits, 37u);
  BenchRun raw = runOnRawUnicorn(p, /*countInstructions=*/true);
  BenchRun emu = runOnEmu(p, /*keepEvents=*/false);
  ASSERT_EQ(raw.error, "");
  ASSERT_EQ(emu.error, "");
  EXPECT_EQ(raw.instructions, p.instructions);
  EXPECT_EQ(emu.instructions, raw.instructions);
  EXPECT_EQ(raw.exits, 37u);
  EXPECT_EQ(emu.exits, 37u);
  // Each exit is at least an exit, an io and an entry event.
  EXPECT_GE(emu.events, 3u * 37u);
  EXPECT_EQ(emu.checksum, raw.checksum);
}

TEST(BenchCommand, RunBenchReportsFourBenchmarksWithMatchingWork) {
  BenchOptions o;
  o.repetitions = 2;
  o.computeIterations = 200;
  o.exitIterations = 30;
  o.mmuSweeps = 0; // the emu --mmu group has its own test (bench_mmu_emu_test.cpp)
  BenchReport r = runBench(o);
  ASSERT_EQ(r.figures.size(), 4u);
  for (const BenchFigure &f : r.figures) {
    EXPECT_EQ(f.error, "") << f.name;
    EXPECT_EQ(f.repetitions, 2) << f.name;
    EXPECT_GT(f.medianRate, 0.0) << f.name;
  }
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.figures[0].name, "raw_unicorn/compute");
  EXPECT_EQ(r.figures[1].name, "emu/compute");
  EXPECT_EQ(r.figures[0].instructions, 5u + 200u * 20u + 1u);
  EXPECT_EQ(r.figures[1].instructions, r.figures[0].instructions);
  EXPECT_EQ(r.figures[2].exits, 30u);
  EXPECT_EQ(r.figures[3].exits, 30u);
  EXPECT_GT(r.computeRatio, 0.0);
  EXPECT_GT(r.exitsRatio, 0.0);
}

} // namespace
} // namespace ringside::cli
