// Exit decisions driven by the controls, and exit information against the worked values of
// ../shared/notes/exit_qualifications.md.
#include "vmx/exit_decision.h"

#include "vmx/vmx_bitmaps.h"
#include "vmx/vmx_controls.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

void setBit(Vmcs &v, std::string_view name, bool on) {
  const auto *bit = findControlBit(name);
  ASSERT_NE(bit, nullptr) << name;
  applyControlOverride(v, ControlOverride{bit, on});
}

GuestOperation simple(GuestOp op, uint8_t len = 2) {
  GuestOperation g;
  g.op = op;
  g.insnLength = len;
  return g;
}

struct ControlCase {
  std::string_view control;
  GuestOperation op;
  uint16_t reason;
};

// Each control bit named in issue 4 turns its exit on and off.
TEST(ExitDecision, EachControlBitTurnsItsExitOnAndOff) {
  GuestOperation mwait = simple(GuestOp::Mwait, 3);
  GuestOperation cr3Load = simple(GuestOp::MovToCr, 3);
  cr3Load.cr = 3;
  GuestOperation cr3Store = simple(GuestOp::MovFromCr, 3);
  cr3Store.cr = 3;
  GuestOperation cr8Load = simple(GuestOp::MovToCr, 4);
  cr8Load.cr = 8;
  GuestOperation io = simple(GuestOp::Io);
  io.port = 0x80;
  GuestOperation extint = simple(GuestOp::ExternalInterrupt, 0);
  extint.vector = 0x20;
  const ControlCase cases[] = {
      {"cpu_based.hlt_exiting", simple(GuestOp::Hlt, 1), 12},
      {"cpu_based.invlpg_exiting", simple(GuestOp::Invlpg, 3), 14},
      {"cpu_based.rdtsc_exiting", simple(GuestOp::Rdtsc), 16},
      {"cpu_based.rdpmc_exiting", simple(GuestOp::Rdpmc), 15},
      {"cpu_based.mwait_exiting", mwait, 36},
      {"cpu_based.monitor_exiting", simple(GuestOp::Monitor, 3), 39},
      {"cpu_based.pause_exiting", simple(GuestOp::Pause), 40},
      {"cpu_based.cr3_load_exiting", cr3Load, 28},
      {"cpu_based.cr3_store_exiting", cr3Store, 28},
      {"cpu_based.cr8_load_exiting", cr8Load, 28},
      {"cpu_based.mov_dr_exiting", simple(GuestOp::MovToDr, 3), 29},
      {"cpu_based.uncond_io_exiting", io, 30},
      {"cpu_based.intr_window_exiting", simple(GuestOp::InterruptWindow, 0), 7},
      {"cpu_based.nmi_window_exiting", simple(GuestOp::NmiWindow, 0), 8},
      {"cpu_based.monitor_trap_flag", simple(GuestOp::MonitorTrap, 0), 37},
      {"pin_based.ext_intr_mask", extint, 1},
      {"pin_based.nmi_exiting", simple(GuestOp::Nmi, 0), 0},
      {"secondary_exec.desc", simple(GuestOp::Lgdt, 3), 46},
      {"secondary_exec.desc", simple(GuestOp::Ltr, 3), 47},
      {"secondary_exec.wbinvd_exiting", simple(GuestOp::Wbinvd), 54},
      {"secondary_exec.rdrand_exiting", simple(GuestOp::Rdrand, 3), 57},
      {"secondary_exec.rdseed_exiting", simple(GuestOp::Rdseed, 3), 61},
  };
  for (const auto &c : cases) {
    Vmcs v;
    setBit(v, "cpu_based.activate_secondary_controls", true);
    EXPECT_FALSE(decideExit(v, c.op).exits()) << c.control;
    setBit(v, c.control, true);
    auto d = decideExit(v, c.op);
    EXPECT_TRUE(d.exits()) << c.control;
    EXPECT_EQ(d.info.reason, c.reason) << c.control;
    setBit(v, c.control, false);
    EXPECT_FALSE(decideExit(v, c.op).exits()) << c.control;
  }
}

TEST(ExitDecision, UnconditionalExitsAndPrivilegeChecks) {
  Vmcs v;
  for (auto [op, reason] :
       {std::pair{GuestOp::Cpuid, 10}, std::pair{GuestOp::Invd, 13}, std::pair{GuestOp::Getsec, 11},
        std::pair{GuestOp::Xsetbv, 55}, std::pair{GuestOp::Vmcall, 18},
        std::pair{GuestOp::Vmlaunch, 20}, std::pair{GuestOp::Vmxon, 27},
        std::pair{GuestOp::Invvpid, 53}, std::pair{GuestOp::TripleFault, 2}}) {
    auto d = decideExit(v, simple(op));
    EXPECT_TRUE(d.exits()) << guestOpInfo(op).name;
    EXPECT_EQ(d.info.reason, reason) << guestOpInfo(op).name;
  }
  auto hlt = simple(GuestOp::Hlt, 1);
  hlt.cpl = 3;
  setBit(v, "cpu_based.hlt_exiting", true);
  EXPECT_EQ(decideExit(v, hlt).outcome, Outcome::Gp);
  auto cpuid = simple(GuestOp::Cpuid);
  cpuid.cpl = 3;
  EXPECT_TRUE(decideExit(v, cpuid).exits()); // CPUID has no CPL check
  EXPECT_EQ(decideExit(v, simple(GuestOp::None)).outcome, Outcome::NoExit);
}

TEST(ExitDecision, EnableControlsGateInstructions) {
  Vmcs v;
  EXPECT_EQ(decideExit(v, simple(GuestOp::Rdtscp, 3)).outcome, Outcome::Ud);
  setBit(v, "cpu_based.activate_secondary_controls", true);
  setBit(v, "secondary_exec.enable_rdtscp", true);
  EXPECT_EQ(decideExit(v, simple(GuestOp::Rdtscp, 3)).outcome, Outcome::NoExit);
  setBit(v, "cpu_based.rdtsc_exiting", true);
  EXPECT_EQ(decideExit(v, simple(GuestOp::Rdtscp, 3)).info.reason, 51);
  EXPECT_EQ(decideExit(v, simple(GuestOp::Invpcid, 4)).outcome, Outcome::Ud);
  setBit(v, "secondary_exec.enable_invpcid", true);
  EXPECT_EQ(decideExit(v, simple(GuestOp::Invpcid, 4)).outcome, Outcome::NoExit);
  setBit(v, "cpu_based.invlpg_exiting", true);
  EXPECT_EQ(decideExit(v, simple(GuestOp::Invpcid, 4)).info.reason, 58);
}

TEST(ExitDecision, IoQualificationsWorkedValues) {
  Vmcs v;
  setBit(v, "cpu_based.uncond_io_exiting", true);
  auto io = [&](uint16_t port, uint8_t size, bool in, bool str, bool rep, bool imm) {
    GuestOperation g = simple(GuestOp::Io, str ? 2 : 1);
    g.port = port, g.size = size, g.in = in, g.string = str, g.rep = rep, g.immediate = imm;
    g.linearAddress = 0x5000;
    auto d = decideExit(v, g);
    EXPECT_TRUE(d.exits());
    return d;
  };
  EXPECT_EQ(io(0x80, 1, false, false, false, true).info.qualification, 0x00800040u);
  EXPECT_EQ(io(0x71, 2, false, false, false, true).info.qualification, 0x00710041u);
  EXPECT_EQ(io(0x3f8, 1, true, false, false, false).info.qualification, 0x03f80008u);
  EXPECT_EQ(io(0x3f8, 4, true, false, false, false).info.qualification, 0x03f8000bu);
  auto rep = io(0x3f8, 1, false, true, true, false);
  EXPECT_EQ(rep.info.qualification, 0x03f80030u);
  EXPECT_EQ(rep.info.guestLinear, 0x5000u);             // INS/OUTS report their memory operand
  EXPECT_EQ(rep.info.insnInfo, (2u << 7) | (3u << 15)); // 64-bit addressing, DS
  EXPECT_FALSE(io(0x80, 1, false, false, false, true).info.guestLinear);
}

TEST(ExitDecision, IoBitmapsAtTheEdges) {
  Vmcs v;
  setBit(v, "cpu_based.uncond_io_exiting", true); // ignored once bitmaps are used
  setBit(v, "cpu_based.use_io_bitmaps", true);
  auto exits = [&](uint16_t port, uint8_t size) {
    GuestOperation g = simple(GuestOp::Io, 1);
    g.port = port, g.size = size;
    return decideExit(v, g).exits();
  };
  EXPECT_FALSE(exits(0x7fff, 1));
  setIoIntercept(v, 0x7fff, true); // last bit of bitmap A
  EXPECT_TRUE(exits(0x7fff, 1));
  EXPECT_EQ(v.ioBitmapA()[0xfff], 0x80);
  EXPECT_FALSE(exits(0x8000, 1));
  EXPECT_TRUE(exits(0x7ffe, 2)); // second byte hits 0x7fff
  setIoIntercept(v, 0x7fff, false);
  setIoIntercept(v, 0x8000, true); // first bit of bitmap B
  EXPECT_EQ(v.ioBitmapB()[0], 0x01);
  EXPECT_TRUE(exits(0x8000, 1));
  EXPECT_TRUE(exits(0x7fff, 2)); // spans A and B
  EXPECT_FALSE(exits(0x7ffc, 2));
  EXPECT_FALSE(exits(0xfffe, 2));
  EXPECT_TRUE(exits(0xffff, 2)); // wraps past 0xFFFF: always exits
}

TEST(ExitDecision, MsrBitmapsAtTheEdges) {
  Vmcs v;
  auto exits = [&](uint32_t msr, bool write) {
    GuestOperation g = simple(write ? GuestOp::Wrmsr : GuestOp::Rdmsr);
    g.msr = msr;
    return decideExit(v, g).exits();
  };
  EXPECT_TRUE(exits(0x10, false)); // no MSR bitmaps: every access exits
  setBit(v, "cpu_based.use_msr_bitmaps", true);
  EXPECT_FALSE(exits(0x1fff, false));
  EXPECT_FALSE(exits(0xc0000080, true));
  EXPECT_TRUE(exits(0x2000, false)); // outside both ranges
  EXPECT_TRUE(exits(0xbfffffff, true));
  EXPECT_TRUE(exits(0xc0002000, false));
  EXPECT_TRUE(exits(0x40000000, false)); // hypervisor range: always exits
  ASSERT_TRUE(setMsrIntercept(v, 0x1fff, false, true));
  EXPECT_EQ(v.msrBitmap()[0x3ff], 0x80); // read-low ends at 0x3ff
  EXPECT_TRUE(exits(0x1fff, false));
  EXPECT_FALSE(exits(0x1fff, true));
  ASSERT_TRUE(setMsrIntercept(v, 0xc0000000, false, true));
  EXPECT_EQ(v.msrBitmap()[0x400], 0x01); // read-high starts at 0x400
  ASSERT_TRUE(setMsrIntercept(v, 0x0, true, true));
  EXPECT_EQ(v.msrBitmap()[0x800], 0x01); // write-low starts at 0x800
  ASSERT_TRUE(setMsrIntercept(v, 0xc0001fff, true, true));
  EXPECT_EQ(v.msrBitmap()[0xfff], 0x80); // write-high ends at 0xfff
  EXPECT_FALSE(setMsrIntercept(v, 0x2000, false, true));
}

TEST(ExitDecision, CrAccessQualificationsWorkedValues) {
  Vmcs v;
  setBit(v, "cpu_based.cr3_load_exiting", true);
  setBit(v, "cpu_based.cr3_store_exiting", true);
  setBit(v, "cpu_based.cr8_load_exiting", true);
  v.vmwrite(vmcs::Cr0GuestHostMask, ~0ull);
  auto cr = [&](GuestOp op, unsigned n, unsigned gpr, uint64_t value = 1) {
    GuestOperation g = simple(op, 3);
    g.cr = n, g.gpr = gpr, g.value = value;
    auto d = decideExit(v, g);
    EXPECT_TRUE(d.exits()) << n;
    return d.info.qualification;
  };
  EXPECT_EQ(cr(GuestOp::MovToCr, 3, 0), 0x3u);     // mov %rax,%cr3
  EXPECT_EQ(cr(GuestOp::MovFromCr, 3, 3), 0x313u); // mov %cr3,%rbx
  EXPECT_EQ(cr(GuestOp::MovToCr, 0, 1), 0x100u);   // mov %rcx,%cr0
  EXPECT_EQ(cr(GuestOp::MovToCr, 8, 8), 0x808u);   // mov %r8,%cr8
  v.vmwrite(vmcs::Cr0ReadShadow, 1u << 3);         // guest believes TS=1
  EXPECT_EQ(cr(GuestOp::Clts, 0, 0), 0x20u);
  v.vmwrite(vmcs::Cr0ReadShadow, 0);
  EXPECT_EQ(cr(GuestOp::Lmsw, 0, 0, 0x0001), 0x10030u); // lmsw %ax, AX=1
}

TEST(ExitDecision, CrMasksShadowsAndTargets) {
  Vmcs v;
  v.vmwrite(vmcs::Cr0GuestHostMask, 0x80000001); // host owns PG and PE
  v.vmwrite(vmcs::Cr0ReadShadow, 0x00000011);
  auto movCr0 = [&](uint64_t value) {
    GuestOperation g = simple(GuestOp::MovToCr, 3);
    g.value = value;
    return decideExit(v, g).exits();
  };
  EXPECT_FALSE(movCr0(0x00000011)); // no owned bit changes
  EXPECT_FALSE(movCr0(0x0000001b)); // TS, MP are guest-owned here
  EXPECT_TRUE(movCr0(0x80000011));  // sets PG
  EXPECT_TRUE(movCr0(0x00000010));  // clears PE
  // The guest reads its shadow for owned bits and the real value elsewhere.
  EXPECT_EQ(guestVisibleCr(v, 0, 0x80000039), 0x00000039u);
  EXPECT_EQ(guestVisibleCr(v, 3, 0x1234), 0x1234u);
  EXPECT_FALSE(decideExit(v, simple(GuestOp::MovFromCr)).exits()); // CR0 reads never exit
  // LMSW can set but never clear PE.
  GuestOperation lmsw = simple(GuestOp::Lmsw, 3);
  lmsw.value = 0x0000;
  v.vmwrite(vmcs::Cr0ReadShadow, 0x11);
  EXPECT_FALSE(decideExit(v, lmsw).exits());
  lmsw.value = 0x0001;
  lmsw.memoryOperand = true;
  lmsw.linearAddress = 0x9000;
  v.vmwrite(vmcs::Cr0ReadShadow, 0x10);
  auto d = decideExit(v, lmsw);
  ASSERT_TRUE(d.exits());
  EXPECT_EQ(d.info.qualification, 0x10070u); // bit 6: memory operand
  EXPECT_EQ(d.info.guestLinear, 0x9000u);
  // CR3 target values suppress CR3-load exits for the first CR3_TARGET_COUNT values.
  v.vmwrite(vmcs::CpuBasedControls, ctl::Cr3LoadExiting);
  v.vmwrite(vmcs::Cr3TargetValue0 + 2, 0x5000);
  GuestOperation cr3 = simple(GuestOp::MovToCr, 3);
  cr3.cr = 3;
  cr3.value = 0x5000;
  EXPECT_TRUE(decideExit(v, cr3).exits()); // count 0: targets ignored
  v.vmwrite(vmcs::Cr3TargetCount, 2);
  EXPECT_FALSE(decideExit(v, cr3).exits());
  cr3.value = 0x6000;
  EXPECT_TRUE(decideExit(v, cr3).exits());
}

TEST(ExitDecision, ExceptionsAndInterruptionInformation) {
  Vmcs v;
  v.vmwrite(vmcs::ExceptionBitmap, (1u << 14) | (1u << 13) | (1u << 6) | (1u << 3));
  auto exc = [&](uint8_t vector, InterruptionType type, bool hasErr, uint32_t err = 0) {
    GuestOperation g = simple(GuestOp::Exception, 1);
    g.vector = vector, g.interruptionType = type, g.hasErrorCode = hasErr, g.errorCode = err;
    g.linearAddress = 0xdead000;
    return decideExit(v, g);
  };
  auto pf = exc(14, InterruptionType::HardwareException, true, 0x2);
  ASSERT_TRUE(pf.exits());
  EXPECT_EQ(pf.info.intrInfo, 0x80000b0eu);
  EXPECT_EQ(pf.info.intrErrorCode, 0x2u);
  EXPECT_EQ(pf.info.qualification, 0xdead000u); // CR2
  EXPECT_EQ(exc(13, InterruptionType::HardwareException, true).info.intrInfo, 0x80000b0du);
  EXPECT_EQ(exc(6, InterruptionType::HardwareException, false).info.intrInfo, 0x80000306u);
  auto bp = exc(3, InterruptionType::SoftwareException, false);
  EXPECT_EQ(bp.info.intrInfo, 0x80000603u);
  EXPECT_TRUE(bp.info.instructionCaused);
  EXPECT_FALSE(exc(0, InterruptionType::HardwareException, false).exits()); // #DE not in bitmap
  EXPECT_FALSE(exc(3, InterruptionType::SoftwareInterrupt, false).exits()); // INT 3 (CD 03)
  // #PF error-code mask/match: only writes (bit 1) exit ...
  v.vmwrite(vmcs::PfErrorCodeMask, 0x2);
  v.vmwrite(vmcs::PfErrorCodeMatch, 0x2);
  EXPECT_TRUE(exc(14, InterruptionType::HardwareException, true, 0x3).exits());
  EXPECT_FALSE(exc(14, InterruptionType::HardwareException, true, 0x1).exits());
  // ... and with bit 14 clear the meaning inverts: only reads exit.
  v.vmwrite(vmcs::ExceptionBitmap, 0);
  EXPECT_FALSE(exc(14, InterruptionType::HardwareException, true, 0x3).exits());
  EXPECT_TRUE(exc(14, InterruptionType::HardwareException, true, 0x1).exits());

  v.vmwrite(vmcs::PinBasedControls, ctl::NmiExiting | ctl::ExtIntrExiting);
  EXPECT_EQ(decideExit(v, simple(GuestOp::Nmi, 0)).info.intrInfo, 0x80000202u);
  GuestOperation intr = simple(GuestOp::ExternalInterrupt, 0);
  intr.vector = 0x20;
  EXPECT_EQ(decideExit(v, intr).info.intrInfo, 0u); // no acknowledge: vector not fetched
  v.vmwrite(vmcs::ExitControls, ctl::AckIntrOnExit);
  EXPECT_EQ(decideExit(v, intr).info.intrInfo, 0x80000020u);
}

TEST(ExitDecision, InstructionInformationAndVectoring) {
  Vmcs v;
  setBit(v, "cpu_based.activate_secondary_controls", true);
  setBit(v, "secondary_exec.desc", true);
  GuestOperation lidt = simple(GuestOp::Lidt, 7);
  lidt.operand.base = 3; // [rbx + 0x10]
  lidt.operand.baseValid = true;
  lidt.operand.displacement = 0x10;
  auto d = decideExit(v, lidt);
  ASSERT_TRUE(d.exits());
  EXPECT_EQ(d.info.reason, 46);
  EXPECT_EQ(d.info.qualification, 0x10u);
  EXPECT_EQ(d.info.insnLength, 7u);
  // addr size 64 (2<<7), op size 32 (1<<11), DS (3<<15), no index (1<<22), base RBX (3<<23),
  // identity LIDT (3<<28).
  EXPECT_EQ(d.info.insnInfo,
            (2u << 7) | (1u << 11) | (3u << 15) | (1u << 22) | (3u << 23) | (3u << 28));
  GuestOperation ltr = simple(GuestOp::Ltr, 3);
  ltr.operand.isRegister = true;
  ltr.operand.reg1 = 0; // ltr %ax
  EXPECT_EQ(decideExit(v, ltr).info.insnInfo, (2u << 7) | (1u << 10) | (3u << 28));
  GuestOperation vmread = simple(GuestOp::Vmread, 3);
  vmread.operand.isRegister = true;
  vmread.operand.reg1 = 0; // vmread %rdx, %rax: destination RAX, field in RDX
  vmread.operand.reg2 = 2;
  EXPECT_EQ(decideExit(v, vmread).info.insnInfo, (2u << 7) | (1u << 10) | (2u << 28));

  GuestOperation ept = simple(GuestOp::EptViolation, 0);
  ept.qualification = eptViolationQualification({false, true, false, 0x5, true, true, false});
  EXPECT_EQ(ept.qualification, 0x1aau);
  ept.guestPhysical = 0x123000;
  ept.linearAddress = 0x7fff000;
  ept.vectoring = VectoringEvent{14, InterruptionType::HardwareException, true, 0x2};
  EXPECT_FALSE(decideExit(v, ept).exits()); // EPT off: no EPT violations
  setBit(v, "secondary_exec.enable_ept", true);
  d = decideExit(v, ept);
  ASSERT_TRUE(d.exits());
  EXPECT_EQ(d.info.qualification, 0x1aau);
  EXPECT_EQ(d.info.guestPhysical, 0x123000u);
  EXPECT_EQ(d.info.guestLinear, 0x7fff000u);
  EXPECT_EQ(d.info.idtVectoringInfo, 0x80000b0eu);
  EXPECT_EQ(d.info.idtVectoringErrorCode, 0x2u);
  EXPECT_FALSE(d.info.instructionCaused);
  EXPECT_EQ(eptViolationQualification({true, false, false, 0, true, true, false}), 0x181u);
  EXPECT_EQ(eptViolationQualification({false, false, true, 0, true, true, false}), 0x184u);
  EXPECT_EQ(eptViolationQualification({true, false, false, 0, true, false, false}), 0x081u);
  EXPECT_EQ(eptViolationQualification({true, true, false, 0, true, false, false}), 0x083u);
}

TEST(ExitDecision, WriteExitInfoEmitsEvents) {
  Vmcs v;
  setBit(v, "cpu_based.uncond_io_exiting", true);
  std::vector<VmcsEvent> events;
  v.setListener([&](const VmcsEvent &e) { events.push_back(e); });
  GuestOperation out = simple(GuestOp::Io, 2);
  out.port = 0x80, out.immediate = true;
  writeExitInfo(v, decideExit(v, out).info);
  EXPECT_EQ(v.get(vmcs::ExitReason), 30u);
  EXPECT_EQ(v.get(vmcs::ExitQualification), 0x00800040u);
  EXPECT_EQ(v.get(vmcs::ExitInstructionLength), 2u);
  ASSERT_EQ(events.size(), 3u); // reason, qualification, length: the rest stayed 0
  EXPECT_EQ(events[0].encoding, vmcs::ExitReason);
  writeExitInfo(v, decideExit(v, simple(GuestOp::TripleFault, 0)).info);
  EXPECT_EQ(v.get(vmcs::ExitQualification), 0u);     // cleared
  EXPECT_EQ(v.get(vmcs::ExitInstructionLength), 2u); // undefined: left alone
}

TEST(ExitDecision, OpTableIsComplete) {
  for (const auto &info : guestOpInfos()) {
    EXPECT_EQ(&guestOpInfo(info.op), &info) << info.name;
    if (info.control != "always" && info.control != "special" && info.control != "never") {
      EXPECT_NE(findControlBit(info.control), nullptr) << info.name;
    }
  }
  EXPECT_EQ(guestOpInfo(GuestOp::EptMisconfig).reason, 49);
}

} // namespace
} // namespace ringside
