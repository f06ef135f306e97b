// Smoke tests of the kvm half of `ringside bench` with tiny counts: the bare loops and the
// backend must do the same work. Nothing here asserts a speed. Skipped without /dev/kvm.
#include "cli/bench_command.h"
#include "cli/bench_kvm.h"
#include "kvm_host.h"

#include <gtest/gtest.h>

namespace ringside::cli {
namespace {

class BenchKvm : public ::testing::Test {
protected:
  void SetUp() override {
    kvm::HostProbe probe = kvm::probeHost();
    if (!probe.usable())
      GTEST_SKIP() << "kvm not usable here: " << probe.reason;
  }
};

TEST(BenchKvmProgram, CountsTheWorkEachGuestMustDo) {
  KvmBenchProgram io = makeKvmBenchProgram(KvmBench::IoExit, 0x01020304);
  EXPECT_EQ(io.work, 0x01020304u);
  // The count is ECX's imm32, little-endian, after `66 B9`.
  ASSERT_GE(io.bytes.size(), 6u);
  EXPECT_EQ(io.bytes[2], 0x04);
  EXPECT_EQ(io.bytes[5], 0x01);
  EXPECT_EQ(io.bytes.back(), 0xF4); // hlt
  EXPECT_EQ(io.hltAddress, kKvmBenchLoadAddress + io.bytes.size() - 1);
  EXPECT_EQ(makeKvmBenchProgram(KvmBench::Step, 10).work, 2u + 3u * 10u);
  EXPECT_EQ(makeKvmBenchProgram(KvmBench::ColdStart, 7).work, 7u);
  EXPECT_THROW(makeKvmBenchProgram(KvmBench::IoExit, 0), std::exception);
}

TEST_F(BenchKvm, BareAndBackendTakeOneIoExitPerIteration) {
  KvmBenchProgram p = makeKvmBenchProgram(KvmBench::IoExit, 25);
  KvmBenchRun bare = runBareKvm(p);
  KvmBenchRun backend = runKvmBackend(p, /*keepEvents=*/false);
  ASSERT_EQ(bare.error, "");
  ASSERT_EQ(backend.error, "");
  EXPECT_EQ(bare.work, 25u);
  EXPECT_EQ(backend.work, 25u);
  // Both end just past the hlt; each backend exit is at least exit, io and entry events.
  EXPECT_EQ(bare.checksum, p.hltAddress + 1);
  EXPECT_EQ(backend.checksum, bare.checksum);
  EXPECT_GE(backend.events, 3u * 25u);
  EXPECT_EQ(bare.events, 0u);
}

TEST_F(BenchKvm, BareAndBackendColdStartEveryVm) {
  KvmBenchProgram p = makeKvmBenchProgram(KvmBench::ColdStart, 3);
  KvmBenchRun bare = runBareKvm(p);
  KvmBenchRun backend = runKvmBackend(p, /*keepEvents=*/true);
  ASSERT_EQ(bare.error, "");
  ASSERT_EQ(backend.error, "");
  EXPECT_EQ(bare.work, 3u);
  EXPECT_EQ(backend.work, 3u);
  EXPECT_EQ(bare.checksum, kKvmBenchLoadAddress + 1);
  EXPECT_EQ(backend.checksum, bare.checksum);
}

TEST_F(BenchKvm, BareAndBackendStepEveryInstruction) {
  KvmBenchProgram p = makeKvmBenchProgram(KvmBench::Step, 12);
  KvmBenchRun bare = runBareKvm(p);
  KvmBenchRun backend = runKvmBackend(p, /*keepEvents=*/false);
  ASSERT_EQ(bare.error, "");
  ASSERT_EQ(backend.error, "");
  EXPECT_EQ(bare.work, p.work);
  EXPECT_EQ(backend.work, p.work);
  EXPECT_EQ(bare.checksum, p.hltAddress + 1);
  EXPECT_EQ(backend.checksum, bare.checksum);
}

TEST_F(BenchKvm, RunBenchReportsBareAndBackendPerTarget) {
  BenchOptions o;
  o.repetitions = 2;
  o.computeIterations = 50;
  o.exitIterations = 10;
  o.kvmExitIterations = 20;
  o.kvmColdStarts = 2;
  o.kvmStepIterations = 10;
  BenchReport r = runBench(o);
  ASSERT_TRUE(r.kvm.available) << r.kvm.reason;
  ASSERT_EQ(r.kvm.figures.size(), 6u);
  const char *names[] = {"bare_kvm/io_exit", "kvm/io_exit",   "bare_kvm/cold_start",
                         "kvm/cold_start",   "bare_kvm/step", "kvm/step"};
  const uint64_t work[] = {20, 20, 2, 2, 32, 32};
  for (size_t i = 0; i < 6; ++i) {
    const BenchFigure &f = r.kvm.figures[i];
    EXPECT_EQ(f.name, names[i]);
    EXPECT_EQ(f.error, "") << f.name;
    EXPECT_EQ(f.repetitions, 2) << f.name;
    EXPECT_EQ(f.work, work[i]) << f.name;
    EXPECT_GT(f.medianRate, 0.0) << f.name;
  }
  ASSERT_EQ(r.kvm.targets.size(), 3u);
  for (const KvmTarget &t : r.kvm.targets) {
    EXPECT_EQ(t.missing, "") << t.name;
    EXPECT_GT(t.ratio, 0.0) << t.name;
  }
  EXPECT_TRUE(r.ok());
}

TEST(BenchKvmOptions, NoKvmLeavesTheSectionOut) {
  BenchOptions o;
  o.repetitions = 1;
  o.computeIterations = 10;
  o.exitIterations = 5;
  o.kvm = false;
  BenchReport r = runBench(o);
  EXPECT_FALSE(r.kvm.available);
  EXPECT_EQ(r.kvm.reason, "skipped (--no-kvm)");
  EXPECT_TRUE(r.kvm.figures.empty());
}

} // namespace
} // namespace ringside::cli
