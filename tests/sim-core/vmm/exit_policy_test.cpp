#include "vmm/exit_policy.h"

#include "arch/exit_reasons.h"

#include <gtest/gtest.h>

namespace ringside {

// Worked values from ../shared/notes/exit_qualifications.md.
TEST(ExitPolicy, CrAccessQualifications) {
  EXPECT_EQ(crQualification(3, 0, 0), 0x3u);        // mov %rax,%cr3
  EXPECT_EQ(crQualification(3, 1, 3), 0x313u);      // mov %cr3,%rbx
  EXPECT_EQ(crQualification(0, 0, 1), 0x100u);      // mov %rcx,%cr0
  EXPECT_EQ(crQualification(0, 2, 0), 0x20u);       // clts
  EXPECT_EQ(crQualification(0, 3, 0, 1), 0x10030u); // lmsw %ax, AX=1
  EXPECT_EQ(crQualification(8, 0, 8), 0x808u);      // mov %r8,%cr8
}

TEST(ExitPolicy, IoQualifications) {
  // out %al, $0xe9: size 1, out, not string, immediate port.
  EXPECT_EQ(ioQualification(0xE9, 1, false, false, false, true), 0xE90040u);
  // rep insw with the port in DX = 0x3f8: size 2, in, string, rep.
  EXPECT_EQ(ioQualification(0x3F8, 2, true, true, true, false), 0x3F80039u);
  // in %dx, %eax with DX=0x60.
  EXPECT_EQ(ioQualification(0x60, 4, true, false, false, false), 0x60000Bu);
}

TEST(ExitPolicy, EveryClassHasOnePolicyWithAKnownReason) {
  for (const auto &p : insnPolicies()) {
    EXPECT_EQ(&insnPolicy(p.cls), &p) << p.name;
    if (p.exitsByDefault) {
      EXPECT_NE(findExitReason(p.exitReason), nullptr) << p.name;
    }
  }
  EXPECT_TRUE(insnPolicy(InsnClass::Out).exitsByDefault);
  EXPECT_FALSE(insnPolicy(InsnClass::Rdtsc).exitsByDefault);
  EXPECT_TRUE(insnPolicy(InsnClass::Hlt).privileged);
  EXPECT_FALSE(insnPolicy(InsnClass::Cpuid).privileged);
}

TEST(ExitPolicy, DefaultControlsLikeKvmWithEpt) {
  EXPECT_TRUE(crAccessExits(0, true));
  EXPECT_TRUE(crAccessExits(4, true));
  EXPECT_FALSE(crAccessExits(3, true));
  EXPECT_FALSE(crAccessExits(0, false));
  EXPECT_TRUE(exceptionExits(6));   // #UD
  EXPECT_TRUE(exceptionExits(18));  // #MC
  EXPECT_FALSE(exceptionExits(14)); // #PF: not with EPT
  EXPECT_FALSE(exceptionExits(13));
}

} // namespace ringside
