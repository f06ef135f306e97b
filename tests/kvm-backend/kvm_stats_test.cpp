// KVM binary stats read from a real VM and vCPU (skips where /dev/kvm is not usable).
#include "kvm_stats.h"

#include "tiny_kvm_guest.h"

#include <gtest/gtest.h>

namespace ringside::kvm {
namespace {

TEST(KvmStatsDiff, SubtractsAndSaturates) {
  const KvmStats before{{"exits", 10}, {"blocking", 1}, {"gone", 5}};
  const KvmStats after{{"exits", 25}, {"blocking", 0}, {"new", 3}};
  const KvmStats d = diffKvmStats(before, after);
  EXPECT_EQ(d.at("exits"), 15u);
  EXPECT_EQ(d.at("blocking"), 0u); // an instant value that fell
  EXPECT_EQ(d.at("new"), 3u);
  EXPECT_FALSE(d.contains("gone"));
}

TEST(KvmStats, BadFdGivesNothingAndSaysWhy) {
  KvmStatsReader reader(-1);
  EXPECT_FALSE(reader.valid());
  EXPECT_NE(reader.error().find("KVM_GET_STATS_FD"), std::string::npos);
  EXPECT_FALSE(reader.read());
  EXPECT_TRUE(readKvmStats(-1).empty());
}

TEST(KvmStats, VcpuAndVmCountersOfARealRun) {
  test::TinyKvmGuest guest;
  std::string why;
  if (!guest.open(why))
    GTEST_SKIP() << "/dev/kvm not usable: " << why;
  ASSERT_TRUE(guest.setup(why)) << why;
  guest.load({0xe6, 0x10, 0xe6, 0x11, 0xf4}); // out 0x10 ; out 0x11 ; hlt

  KvmStatsReader vcpu(guest.vcpuFd());
  ASSERT_TRUE(vcpu.valid()) << vcpu.error();
  const auto before = vcpu.read();
  ASSERT_TRUE(before) << vcpu.error();
  for (const char *name : {"exits", "io_exits", "mmio_exits", "halt_exits", "insn_emulation"})
    EXPECT_TRUE(before->contains(name)) << name;
  EXPECT_NE(vcpu.id().find("vcpu-0"), std::string::npos) << vcpu.id();

  ASSERT_EQ(guest.runToHlt(), 3); // two I/O exits and the HLT
  const auto after = vcpu.read();
  ASSERT_TRUE(after);
  const KvmStats d = diffKvmStats(*before, *after);
  EXPECT_GE(d.at("exits"), 1u);
  EXPECT_EQ(d.at("halt_exits"), 1u);
  // Histograms are folded into one count: present under their own names.
  EXPECT_TRUE(after->contains("halt_wait_hist"));

  const KvmStats vm = readKvmStats(guest.vmFd());
  EXPECT_TRUE(vm.contains("remote_tlb_flush"));
  EXPECT_TRUE(vm.contains("pages_4k"));
  EXPECT_FALSE(vm.contains("exits")); // a VM-level read, not the vCPU's
}

} // namespace
} // namespace ringside::kvm
