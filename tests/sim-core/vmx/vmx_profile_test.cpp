// The profiles: the kvm-like one decides exactly as the hard-wired policy the emu backend had
// before the VT-x model drove it, so the switch-over changed no trace.
#include "vmx/vmx_profile.h"

#include "arch/exit_reasons.h"
#include "emu/insn_class.h"
#include "vmx/exit_decision.h"
#include "vmx/vmx_controls.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

constexpr uint64_t kGuestCr0 = 0x11; // PE | ET: a protected-mode guest before paging
constexpr uint64_t kGuestCr4 = 0;

Vmcs profiled(std::string_view name) {
  Vmcs v;
  const auto *p = findVmxProfile(name);
  EXPECT_NE(p, nullptr) << name;
  if (p)
    applyVmxProfile(v, *p);
  setCrReadShadows(v, kGuestCr0, kGuestCr4);
  return v;
}

// A representative operation for each instruction class of the emu backend (emu/insn_class.h). MOV
// to CR0 and LMSW change a host-owned bit (PG, PE), which is what guests do with them.
GuestOperation operationFor(InsnClass cls) {
  GuestOperation g;
  g.insnLength = 2;
  switch (cls) {
  case InsnClass::In:
    g.op = GuestOp::Io, g.port = 0x60, g.in = true, g.immediate = true;
    break;
  case InsnClass::Out:
    g.op = GuestOp::Io, g.port = 0xe9, g.immediate = true;
    break;
  case InsnClass::StringIo:
    g.op = GuestOp::Io, g.port = 0x3f8, g.string = true, g.rep = true;
    break;
  case InsnClass::Hlt:
    g.op = GuestOp::Hlt;
    break;
  case InsnClass::Cpuid:
    g.op = GuestOp::Cpuid;
    break;
  case InsnClass::Rdmsr:
    g.op = GuestOp::Rdmsr, g.msr = 0xc0000080;
    break;
  case InsnClass::Wrmsr:
    g.op = GuestOp::Wrmsr, g.msr = 0x10;
    break;
  case InsnClass::MovToCr:
    g.op = GuestOp::MovToCr, g.cr = 0, g.value = kGuestCr0 | 0x80000000;
    break;
  case InsnClass::MovFromCr:
    g.op = GuestOp::MovFromCr, g.cr = 0;
    break;
  case InsnClass::Clts:
    g.op = GuestOp::Clts;
    break;
  case InsnClass::Lmsw:
    g.op = GuestOp::Lmsw, g.value = 0x1;
    break; // sets PE
  case InsnClass::Invlpg:
    g.op = GuestOp::Invlpg, g.linearAddress = 0x1000;
    break;
  case InsnClass::Rdtsc:
    g.op = GuestOp::Rdtsc;
    break;
  case InsnClass::Rdtscp:
    g.op = GuestOp::Rdtscp;
    break;
  case InsnClass::SoftInt:
    g.op = GuestOp::Exception, g.vector = 0x80,
    g.interruptionType = InterruptionType::SoftwareInterrupt;
    break;
  case InsnClass::Int3:
    g.op = GuestOp::Exception, g.vector = 3,
    g.interruptionType = InterruptionType::SoftwareException;
    break;
  case InsnClass::Into:
    g.op = GuestOp::Exception, g.vector = 4,
    g.interruptionType = InterruptionType::SoftwareException;
    break;
  case InsnClass::Int1:
    g.op = GuestOp::Exception, g.vector = 1,
    g.interruptionType = InterruptionType::PrivilegedSoftwareException;
    break;
  case InsnClass::Vmcall:
    g.op = GuestOp::Vmcall;
    break;
  case InsnClass::Invd:
    g.op = GuestOp::Invd;
    break;
  case InsnClass::Xsetbv:
    g.op = GuestOp::Xsetbv;
    break;
  case InsnClass::Vmx:
    g.op = GuestOp::Vmlaunch;
    break;
  case InsnClass::None:
  case InsnClass::Iret:
  case InsnClass::FarBranch:
  case InsnClass::SystemCall:
    g.op = GuestOp::None;
    break;
  }
  return g;
}

// What the kvm-like profile decides per intercepted class: the hard-wired policy the emu
// backend used before the VT-x model drove it, kept as the expectation so a profile change
// that would change existing traces shows up here.
struct ExpectedPolicy {
  InsnClass cls;
  const char *name;
  uint16_t exitReason;
  bool exits;
  bool privileged;
};
using namespace exit_reason;
constexpr ExpectedPolicy kKvmLike[] = {
    {InsnClass::None, "none", 0, false, false},
    {InsnClass::In, "in", IoInstruction, true, false},
    {InsnClass::Out, "out", IoInstruction, true, false},
    {InsnClass::StringIo, "ins/outs", IoInstruction, true, false},
    {InsnClass::Hlt, "hlt", Hlt, true, true},
    {InsnClass::Cpuid, "cpuid", Cpuid, true, false},
    {InsnClass::Rdmsr, "rdmsr", MsrRead, true, true},
    {InsnClass::Wrmsr, "wrmsr", MsrWrite, true, true},
    {InsnClass::MovToCr, "mov to cr", CrAccess, true, true},
    {InsnClass::MovFromCr, "mov from cr", CrAccess, false, true},
    {InsnClass::Clts, "clts", CrAccess, false, true},
    {InsnClass::Lmsw, "lmsw", CrAccess, true, true},
    {InsnClass::Invlpg, "invlpg", Invlpg, false, true},
    {InsnClass::Rdtsc, "rdtsc", Rdtsc, false, false},
    {InsnClass::Rdtscp, "rdtscp", 51, false, false},
    {InsnClass::SoftInt, "int n", ExceptionNmi, false, false},
    {InsnClass::Int3, "int3", ExceptionNmi, false, false},
    {InsnClass::Into, "into", ExceptionNmi, false, false},
    {InsnClass::Int1, "int1", ExceptionNmi, true, false},
    {InsnClass::Vmcall, "vmcall", Vmcall, true, false},
    {InsnClass::Invd, "invd", Invd, true, true},
    {InsnClass::Xsetbv, "xsetbv", Xsetbv, true, true},
    {InsnClass::Iret, "iret", 0, false, false},
    {InsnClass::FarBranch, "far jmp/call/ret", 0, false, false},
    {InsnClass::SystemCall, "syscall/sysenter", 0, false, false},
    // In VMX non-root operation a VMX instruction exits whatever the CPL (SDM 25.1.2).
    {InsnClass::Vmx, "vmlaunch", 20, true, false},
};
constexpr uint32_t kKvmExceptionBitmap = (1u << 1) | (1u << 6) | (1u << 17) | (1u << 18);

TEST(VmxProfile, KvmLikeMatchesTodaysExitPolicy) {
  Vmcs v = profiled("kvm-like");
  for (const auto &p : kKvmLike) {
    GuestOperation g = operationFor(p.cls);
    if (p.cls == InsnClass::Lmsw)
      v.vmwrite(vmcs::Cr0ReadShadow, 0x10); // from real mode: LMSW sets PE (host-owned)
    auto d = decideExit(v, g);
    v.vmwrite(vmcs::Cr0ReadShadow, kGuestCr0);
    EXPECT_EQ(d.exits(), p.exits) << p.name;
    if (d.exits()) {
      EXPECT_EQ(d.info.reason, p.exitReason) << p.name;
    }
    // Privileged classes fault at CPL 3 before any exit; the others do not.
    g.cpl = 3;
    if (p.cls != InsnClass::None) {
      EXPECT_EQ(decideExit(v, g).outcome == Outcome::Gp, p.privileged) << p.name;
    }
  }
  for (unsigned cr : {0u, 3u, 4u, 8u})
    for (bool write : {false, true}) {
      GuestOperation g;
      g.op = write ? GuestOp::MovToCr : GuestOp::MovFromCr;
      g.cr = cr;
      g.value = cr == 0 ? kGuestCr0 | 0x80000000 : cr == 4 ? 0x20 : 0x1000; // PG, PAE
      EXPECT_EQ(decideExit(v, g).exits(), write && (cr == 0 || cr == 4)) << cr << " " << write;
    }
  for (uint8_t vec = 0; vec < 32; ++vec) {
    GuestOperation g;
    g.op = GuestOp::Exception;
    g.vector = vec;
    EXPECT_EQ(decideExit(v, g).exits(), ((kKvmExceptionBitmap >> vec) & 1) != 0) << int(vec);
  }
  EXPECT_EQ(v.get(vmcs::ExceptionBitmap), kKvmExceptionBitmap);
}

TEST(VmxProfile, ControlWordsAreValidAndMatchKvm) {
  for (const auto &p : vmxProfiles()) {
    Vmcs v;
    applyVmxProfile(v, p);
    for (const auto &cap : controlCapabilities())
      EXPECT_TRUE(controlsValid(cap.field, uint32_t(v.get(cap.field)))) << p.name << cap.msrName;
    for (const auto &c : p.controls) {
      EXPECT_NE(findControlBit(c.control), nullptr) << c.control;
      EXPECT_TRUE(controlOn(v, c.control)) << p.name << " " << c.control;
      EXPECT_FALSE(c.why.empty());
    }
    for (const auto &f : p.fields)
      EXPECT_NE(findVmcsField(f.encoding), nullptr) << f.why;
    EXPECT_EQ(v.get(vmcs::MsrBitmap), vmx_page::MsrBitmap);
  }
  Vmcs kvm = profiled("kvm-like");
  EXPECT_EQ(kvm.get(vmcs::CpuBasedControls) & ctl::Cr3LoadExiting, 0u);
  EXPECT_EQ(kvm.get(vmcs::Cr0GuestHostMask), ~0x10008ull); // TS, WP guest-owned
  EXPECT_TRUE(controlOn(kvm, "secondary_exec.enable_ept"));
  EXPECT_EQ(&defaultVmxProfile(), findVmxProfile("kvm-like"));
  EXPECT_EQ(findVmxProfile("nope"), nullptr);
}

TEST(VmxProfile, ShadowPagingTakesTheExitsEptAvoids) {
  Vmcs kvm = profiled("kvm-like"), shadow = profiled("shadow-paging");
  GuestOperation cr3;
  cr3.op = GuestOp::MovToCr, cr3.cr = 3, cr3.value = 0x2000;
  GuestOperation invlpg;
  invlpg.op = GuestOp::Invlpg, invlpg.linearAddress = 0x4000;
  GuestOperation pf;
  pf.op = GuestOp::Exception, pf.vector = 14, pf.hasErrorCode = true, pf.errorCode = 2;
  for (const auto &g : {cr3, invlpg, pf}) {
    EXPECT_FALSE(decideExit(kvm, g).exits()) << guestOpInfo(g.op).name;
    EXPECT_TRUE(decideExit(shadow, g).exits()) << guestOpInfo(g.op).name;
  }
  EXPECT_FALSE(controlOn(shadow, "secondary_exec.enable_ept"));
  EXPECT_FALSE(controlOn(shadow, "secondary_exec.unrestricted_guest"));
  GuestOperation wp; // CR0.WP: guest-owned with EPT, host-owned with shadow paging
  wp.op = GuestOp::MovToCr, wp.cr = 0, wp.value = kGuestCr0 | 0x10000;
  EXPECT_FALSE(decideExit(kvm, wp).exits());
  EXPECT_TRUE(decideExit(shadow, wp).exits());
}

TEST(VmxProfile, OverridesChangeTheSameGuestsExits) {
  Vmcs v = profiled("kvm-like");
  GuestOperation hlt;
  hlt.op = GuestOp::Hlt;
  EXPECT_TRUE(decideExit(v, hlt).exits());
  std::string error;
  std::vector<std::string> items = {"cpu_based.hlt_exiting=0", "cpu_based.rdtsc_exiting=1"};
  ASSERT_TRUE(applyVmxOverrides(v, items, &error)) << error;
  EXPECT_FALSE(decideExit(v, hlt).exits());
  GuestOperation rdtsc;
  rdtsc.op = GuestOp::Rdtsc;
  EXPECT_TRUE(decideExit(v, rdtsc).exits());
  std::vector<std::string> bad = {"cpu_based.hlt_exiting=1", "bogus=1"};
  EXPECT_FALSE(applyVmxOverrides(v, bad, &error));
  EXPECT_NE(error.find("bogus"), std::string::npos);
  EXPECT_TRUE(decideExit(v, hlt).exits()); // items before the bad one were applied
}

} // namespace
} // namespace ringside
