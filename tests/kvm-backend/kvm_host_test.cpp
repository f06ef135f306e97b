#include "kvm_host.h"

#include <gtest/gtest.h>

#include <unistd.h>

namespace ringside::kvm {
namespace {

TEST(KvmHostTest, ProbeSaysWhyWhenUnusable) {
  HostProbe probe = probeHost();
  if (probe.usable()) {
    EXPECT_TRUE(probe.reason.empty());
    EXPECT_EQ(probe.apiVersion, 12);
  } else {
    EXPECT_FALSE(probe.reason.empty());
    if (probe.status == HostStatus::PermissionDenied) {
      EXPECT_NE(probe.reason.find("usermod -aG kvm"), std::string::npos);
    }
  }
}

TEST(KvmHostTest, ThisHostIsPvm) {
  HostProbe probe = probeHost();
  if (!probe.usable())
    GTEST_SKIP() << probe.reason;
  if (access("/sys/module/kvm_pvm", F_OK) != 0)
    GTEST_SKIP() << "not a PVM host (no /sys/module/kvm_pvm)";
  EXPECT_EQ(probe.flavour, Flavour::Pvm);
  EXPECT_STREQ(flavourId(probe.flavour), "pvm");
  EXPECT_STREQ(flavourName(probe.flavour), "PVM (software, shadow paging)");
  EXPECT_GT(probe.cap("SYNC_REGS"), 0);
  EXPECT_GT(probe.cap("IMMEDIATE_EXIT"), 0);
}

TEST(KvmHostTest, PvmCapabilitiesAreHonest) {
  HostProbe probe;
  probe.status = HostStatus::Usable;
  probe.flavour = Flavour::Pvm;
  probe.kvmExitTraceReadable = true; // even so: PVM has no hardware exits
  probe.caps.push_back(CapValue{"SET_GUEST_DEBUG", 23, 1});
  Capabilities caps = capabilitiesFor(probe);
  EXPECT_FALSE(caps.realExitReasons);
  EXPECT_FALSE(caps.paging32);
  EXPECT_TRUE(caps.canSingleStep);
  EXPECT_FALSE(caps.exactInstructionCount);
  EXPECT_FALSE(caps.deterministic);
  EXPECT_FALSE(caps.modelledExits);
  EXPECT_NE(caps.description.find("CPL0 only"), std::string::npos);
  EXPECT_NE(caps.description.find("--max-insns is not enforced"), std::string::npos);
  EXPECT_TRUE(caps.guestPageWalks); // at userspace exits, via KVM_TRANSLATE and the walker
}

TEST(KvmHostTest, VmxShowsRealExitsOnlyWithReadableTracefs) {
  HostProbe probe;
  probe.status = HostStatus::Usable;
  probe.flavour = Flavour::Vmx;
  EXPECT_FALSE(capabilitiesFor(probe).realExitReasons);
  EXPECT_FALSE(capabilitiesFor(probe).canSingleStep); // no SET_GUEST_DEBUG cap probed
  probe.kvmExitTraceReadable = true;
  EXPECT_TRUE(capabilitiesFor(probe).realExitReasons);
  EXPECT_TRUE(capabilitiesFor(probe).paging32);
}

TEST(KvmHostTest, NamesCoverEveryFlavour) {
  for (Flavour f : {Flavour::Vmx, Flavour::Svm, Flavour::Pvm, Flavour::Unknown})
    EXPECT_STRNE(flavourName(f), "");
  EXPECT_STREQ(hostStatusName(HostStatus::PermissionDenied), "permission-denied");
}

} // namespace
} // namespace ringside::kvm
