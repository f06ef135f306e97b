#include "vmx/vmentry_checks.h"

#include "vmx/vmx_controls.h"
#include "vmx/vmx_instructions.h"

#include <array>

// Modelled: the checks in the table below, in the SDM's order. Left out: APIC-virtualization,
// posted-interrupt, PML, VM-function, VMCS-shadowing bitmap, preemption-timer, SPP, EPT A/D
// and mode-based-exec control checks; host/guest IA32_PERF_GLOBAL_CTRL, BNDCFGS, RTIT_CTL,
// DEBUGCTL, CET and PKRS fields; guest pending-debug-exception consistency; NMI-blocking versus
// virtual-NMI interactions; the PDPTE checks of PAE paging (qualification 2); the VMCS link
// pointer's shadow-VMCS rules beyond its revision identifier.

namespace ringside {
namespace {

namespace f = vmcs_state;

constexpr uint32_t kArType = 0xf, kArS = 1u << 4, kArP = 1u << 7, kArL = 1u << 13, kArDb = 1u << 14,
                   kArG = 1u << 15, kArUnusable = 1u << 16, kArReserved = 0xfffe0f00;
constexpr uint64_t kRflagsReserved = 0xffffffffffc08028ull, kRflagsVm = 1u << 17,
                   kRflagsIf = 1u << 9;
constexpr uint64_t kEferAllowed = 0xd01; // SCE, LME, LMA, NXE
constexpr uint64_t kEferLme = 1u << 8, kEferLma = 1u << 10;

struct Ctx {
  const EntryCheckInput &in;
  const Vmcs &v;
  uint32_t pin, proc, proc2, exit, entry;
  uint64_t get(uint32_t e) const { return v.get(e); }
  bool ia32eGuest() const { return entry & (1u << 9); }
  bool host64() const { return exit & (1u << 9); }
  bool unrestricted() const { return proc2 & ctl::UnrestrictedGuest; }
  uint32_t ar(SegReg r) const { return uint32_t(get(segmentFields()[size_t(r)].accessRights)); }
  uint16_t sel(SegReg r) const { return uint16_t(get(segmentFields()[size_t(r)].selector)); }
  uint32_t limit(SegReg r) const { return uint32_t(get(segmentFields()[size_t(r)].limit)); }
  uint64_t base(SegReg r) const { return get(segmentFields()[size_t(r)].base); }
  uint64_t hostSel(SegReg r) const { return get(segmentFields()[size_t(r)].hostSelector); }
  bool usable(SegReg r) const { return !(ar(r) & kArUnusable); }
  uint32_t dpl(SegReg r) const { return (ar(r) >> 5) & 3; }
  bool v86() const { return get(f::GuestRflags) & kRflagsVm; }
  uint32_t injection() const { return uint32_t(get(vmcs::EntryIntrInfo)); }
  bool injectingExtInt() const { return (injection() >> 31) && ((injection() >> 8) & 7) == 0; }
};

using CheckFn = bool (*)(const Ctx &);
struct EntryCheck {
  EntryCheckArea area;
  std::string_view what;
  CheckFn ok;
  uint64_t qualification = 0;
};

bool fixedOk(uint64_t value, uint64_t fixed0, uint64_t fixed1) {
  return (value & fixed0) == fixed0 && (value & ~fixed1) == 0;
}
bool pageAddrOk(uint64_t pa) { return (pa & 0xfff) == 0 && physAddrValid(pa); }
bool msrListOk(const Ctx &c, uint32_t count, uint32_t addr) {
  uint64_t n = c.get(count), a = c.get(addr);
  return n == 0 || (n <= vmx_cap::MaxMsrListEntries && (a & 0xf) == 0 && physAddrValid(a) &&
                    physAddrValid(a + n * 16 - 1));
}
bool limitMatchesG(uint32_t limit, uint32_t ar) {
  bool g = ar & kArG;
  return ((limit & 0xfff) == 0xfff || !g) && ((limit >> 20) == 0 || g);
}
bool hostSelectorsOk(const Ctx &c) {
  for (const auto &s : segmentFields())
    if (s.hostSelector && (c.get(s.hostSelector) & 7) != 0)
      return false;
  return true;
}
bool hostEferOk(const Ctx &c) {
  if (!(c.exit & (1u << 21)))
    return true;
  uint64_t e = c.get(f::HostIa32Efer);
  bool lma = e & kEferLma, lme = e & kEferLme;
  return (e & ~kEferAllowed) == 0 && lma == c.host64() && lme == c.host64();
}
bool guestEferOk(const Ctx &c) {
  if (!(c.entry & (1u << 15)))
    return true;
  uint64_t e = c.get(f::GuestIa32Efer);
  bool lma = e & kEferLma, lme = e & kEferLme;
  bool pg = c.get(vmcs::GuestCr0) & vmx_cap::Cr0Pg;
  return (e & ~kEferAllowed) == 0 && lma == c.ia32eGuest() && (!pg || lme == lma);
}
bool injectionOk(const Ctx &c) {
  uint32_t info = c.injection();
  if (!(info >> 31))
    return true;
  uint32_t vector = info & 0xff, type = (info >> 8) & 7;
  bool errorCode = info & (1u << 11);
  if ((info & 0x7ffff000) != 0 || type == 1 || type == 7)
    return false;
  if ((type == 2 && vector != 2) || (type == 3 && vector > 31))
    return false;
  // Only #DF #TS #NP #SS #GP #PF #AC #CP push an error code, and only in protected mode.
  constexpr uint32_t kErrorCodeVectors = (1u << 8) | (0x1fu << 10) | (1u << 17) | (1u << 21);
  bool pe = c.get(vmcs::GuestCr0) & vmx_cap::Cr0Pe;
  if (errorCode != (type == 3 && vector < 32 && ((kErrorCodeVectors >> vector) & 1) && pe))
    return false;
  uint64_t len = c.get(f::EntryInstructionLen);
  return !(type == 4 || type == 5 || type == 6) || (len >= 1 && len <= 15);
}
bool segRegsOk(const Ctx &c) {
  using S = SegReg;
  if (c.v86()) { // virtual-8086: every segment real-mode-like (SDM 26.3.1.2)
    for (S r : {S::Cs, S::Ss, S::Ds, S::Es, S::Fs, S::Gs})
      if (c.base(r) != uint64_t(c.sel(r)) << 4 || c.limit(r) != 0xffff || c.ar(r) != 0xf3)
        return false;
    return true;
  }
  uint32_t cs = c.ar(S::Cs), csType = cs & kArType;
  bool csOk = csType == 9 || csType == 11 || csType == 13 || csType == 15 ||
              (csType == 3 && c.unrestricted());
  if (!csOk || !(cs & kArS) || !(cs & kArP) || (cs & kArReserved) ||
      !limitMatchesG(c.limit(S::Cs), cs))
    return false;
  if ((csType == 9 || csType == 11) && c.dpl(S::Cs) != c.dpl(S::Ss))
    return false;
  if ((csType == 13 || csType == 15) && c.dpl(S::Cs) > c.dpl(S::Ss))
    return false;
  if (c.ia32eGuest() && (cs & kArL) && (cs & kArDb))
    return false;
  if (!c.unrestricted() && (c.sel(S::Ss) & 3) != (c.sel(S::Cs) & 3))
    return false;
  if (c.usable(S::Ss)) {
    uint32_t ss = c.ar(S::Ss), t = ss & kArType;
    if ((t != 3 && t != 7) || !(ss & kArS) || !(ss & kArP) || (ss & kArReserved) ||
        !limitMatchesG(c.limit(S::Ss), ss))
      return false;
    if (!c.unrestricted() && c.dpl(S::Ss) != (c.sel(S::Ss) & 3u))
      return false;
  }
  for (S r : {S::Ds, S::Es, S::Fs, S::Gs}) {
    if (!c.usable(r))
      continue;
    uint32_t a = c.ar(r), t = a & kArType;
    bool code = t & 8;
    if (!(t & 1) || (code && !(t & 2)) || !(a & kArS) || !(a & kArP) || (a & kArReserved) ||
        !limitMatchesG(c.limit(r), a))
      return false;
    if (!c.unrestricted() && t <= 11 && c.dpl(r) < (c.sel(r) & 3u))
      return false;
  }
  return true;
}
bool trOk(const Ctx &c) {
  uint32_t a = c.ar(SegReg::Tr), t = a & kArType;
  bool typeOk = t == 11 || (t == 3 && !c.ia32eGuest());
  return (c.sel(SegReg::Tr) & 4) == 0 && c.usable(SegReg::Tr) && typeOk && !(a & kArS) &&
         (a & kArP) && !(a & kArReserved) && limitMatchesG(c.limit(SegReg::Tr), a);
}
bool ldtrOk(const Ctx &c) {
  if (!c.usable(SegReg::Ldtr))
    return true;
  uint32_t a = c.ar(SegReg::Ldtr);
  return (c.sel(SegReg::Ldtr) & 4) == 0 && (a & kArType) == 2 && !(a & kArS) && (a & kArP) &&
         !(a & kArReserved) && limitMatchesG(c.limit(SegReg::Ldtr), a);
}
bool segBasesOk(const Ctx &c) {
  using S = SegReg;
  for (S r : {S::Tr, S::Fs, S::Gs, S::Ldtr})
    if ((r != S::Ldtr || c.usable(r)) && !isCanonical(c.base(r)))
      return false;
  for (S r : {S::Cs, S::Ss, S::Ds, S::Es})
    if ((r == S::Cs || c.usable(r)) && (c.base(r) >> 32) != 0)
      return false;
  return true;
}
bool guestRipOk(const Ctx &c) {
  uint64_t rip = c.get(vmcs::GuestRip);
  bool longCs = c.ia32eGuest() && (c.ar(SegReg::Cs) & kArL);
  return longCs ? isCanonical(rip) : (rip >> 32) == 0;
}
bool linkPointerOk(const Ctx &c) {
  uint64_t link = c.get(f::VmcsLinkPointer);
  if (link == ~0ull)
    return true;
  if (!pageAddrOk(link) || link == c.in.vmxonPointer)
    return false;
  uint32_t rev = ~0u;
  if (c.in.cpu && !c.in.cpu->readPhys(link, &rev, sizeof rev))
    rev = ~0u;
  bool shadowing = c.proc2 & (1u << 14);
  return (rev & 0x7fffffff) == vmx_cap::VmcsRevisionId && bool(rev >> 31) == shadowing;
}

using A = EntryCheckArea;
const std::array kChecks = {
    // SDM 26.2.1: VM-execution, VM-exit and VM-entry control fields -> VMfailValid(7).
    EntryCheck{A::Controls, "pin-based controls respect IA32_VMX_TRUE_PINBASED_CTLS",
               [](const Ctx &c) { return controlsValid(vmcs::PinBasedControls, c.pin); }},
    EntryCheck{A::Controls, "primary controls respect IA32_VMX_TRUE_PROCBASED_CTLS",
               [](const Ctx &c) { return controlsValid(vmcs::CpuBasedControls, c.proc); }},
    EntryCheck{A::Controls, "secondary controls respect IA32_VMX_PROCBASED_CTLS2",
               [](const Ctx &c) { return controlsValid(vmcs::SecondaryControls, c.proc2); }},
    EntryCheck{A::Controls, "VM-exit controls respect IA32_VMX_TRUE_EXIT_CTLS",
               [](const Ctx &c) { return controlsValid(vmcs::ExitControls, c.exit); }},
    EntryCheck{A::Controls, "VM-entry controls respect IA32_VMX_TRUE_ENTRY_CTLS",
               [](const Ctx &c) { return controlsValid(vmcs::EntryControls, c.entry); }},
    EntryCheck{A::Controls, "CR3-target count is at most 4",
               [](const Ctx &c) { return c.get(vmcs::Cr3TargetCount) <= 4; }},
    EntryCheck{A::Controls, "I/O bitmap addresses are 4 KiB aligned and within MAXPHYADDR",
               [](const Ctx &c) {
                 return !(c.proc & ctl::UseIoBitmaps) ||
                        (pageAddrOk(c.get(vmcs::IoBitmapA)) && pageAddrOk(c.get(vmcs::IoBitmapB)));
               }},
    EntryCheck{A::Controls, "MSR bitmap address is 4 KiB aligned and within MAXPHYADDR",
               [](const Ctx &c) {
                 return !(c.proc & ctl::UseMsrBitmaps) || pageAddrOk(c.get(vmcs::MsrBitmap));
               }},
    EntryCheck{A::Controls, "virtual-APIC address is 4 KiB aligned (use TPR shadow)",
               [](const Ctx &c) {
                 return !(c.proc & ctl::TprShadow) || pageAddrOk(c.get(f::VirtualApicPageAddr));
               }},
    EntryCheck{A::Controls, "virtual NMIs need NMI exiting; NMI-window exiting needs virtual NMIs",
               [](const Ctx &c) {
                 return (c.pin & ctl::NmiExiting || !(c.pin & ctl::VirtualNmis)) &&
                        (c.pin & ctl::VirtualNmis || !(c.proc & ctl::NmiWindowExiting));
               }},
    EntryCheck{A::Controls, "enable VPID needs a non-zero VPID",
               [](const Ctx &c) {
                 return !(c.proc2 & ctl::EnableVpid) || c.get(vmcs::VirtualProcessorId) != 0;
               }},
    EntryCheck{A::Controls, "EPTP: memory type UC or WB, 4-level walk, reserved bits 0",
               [](const Ctx &c) {
                 return !(c.proc2 & ctl::EnableEpt) || eptPointerValid(c.get(vmcs::EptPointer));
               }},
    EntryCheck{A::Controls, "unrestricted guest needs enable EPT",
               [](const Ctx &c) { return !c.unrestricted() || (c.proc2 & ctl::EnableEpt); }},
    EntryCheck{A::Controls, "MSR-store/load lists: at most 512 entries, 16-byte aligned",
               [](const Ctx &c) {
                 return msrListOk(c, f::ExitMsrStoreCount, f::ExitMsrStoreAddr) &&
                        msrListOk(c, f::ExitMsrLoadCount, f::ExitMsrLoadAddr) &&
                        msrListOk(c, f::EntryMsrLoadCount, f::EntryMsrLoadAddr);
               }},
    EntryCheck{A::Controls, "VM-entry interruption information is consistent", injectionOk},
    EntryCheck{A::Controls, "entry to SMM and deactivate dual-monitor are 0 outside SMM",
               [](const Ctx &c) { return (c.entry & (3u << 10)) == 0; }},
    // SDM 26.2.2-26.2.4: host-state area -> VMfailValid(8).
    EntryCheck{A::HostState, "HOST_CR0 respects IA32_VMX_CR0_FIXED0/1",
               [](const Ctx &c) {
                 return fixedOk(c.get(f::HostCr0), vmx_cap::Cr0Fixed0, vmx_cap::Cr0Fixed1);
               }},
    EntryCheck{A::HostState, "HOST_CR4 respects IA32_VMX_CR4_FIXED0/1",
               [](const Ctx &c) {
                 return fixedOk(c.get(f::HostCr4), vmx_cap::Cr4Fixed0, vmx_cap::Cr4Fixed1);
               }},
    EntryCheck{A::HostState, "HOST_CR3 is within MAXPHYADDR",
               [](const Ctx &c) { return physAddrValid(c.get(f::HostCr3)); }},
    EntryCheck{A::HostState, "host SYSENTER_ESP/EIP are canonical",
               [](const Ctx &c) {
                 return isCanonical(c.get(f::HostSysenterEsp)) &&
                        isCanonical(c.get(f::HostSysenterEip));
               }},
    EntryCheck{
        A::HostState, "HOST_IA32_PAT holds valid memory types",
        [](const Ctx &c) { return !(c.exit & (1u << 19)) || patValid(c.get(f::HostIa32Pat)); }},
    EntryCheck{A::HostState, "HOST_IA32_EFER: reserved bits 0, LMA = LME = host address-space size",
               hostEferOk},
    EntryCheck{A::HostState, "host selectors have RPL 0 and TI 0", hostSelectorsOk},
    EntryCheck{
        A::HostState, "host CS and TR selectors are not null",
        [](const Ctx &c) { return c.hostSel(SegReg::Cs) != 0 && c.hostSel(SegReg::Tr) != 0; }},
    EntryCheck{A::HostState, "host SS is not null when host address-space size is 0",
               [](const Ctx &c) { return c.host64() || c.hostSel(SegReg::Ss) != 0; }},
    EntryCheck{A::HostState, "host FS/GS/TR/GDTR/IDTR bases are canonical",
               [](const Ctx &c) {
                 for (const auto &s : segmentFields())
                   if (s.hostBase && !isCanonical(c.get(s.hostBase)))
                     return false;
                 return isCanonical(c.get(f::HostGdtrBase)) && isCanonical(c.get(f::HostIdtrBase));
               }},
    EntryCheck{
        A::HostState, "host address-space size matches the CPU's IA-32e mode",
        [](const Ctx &c) { return c.in.cpuIa32e ? c.host64() : !c.host64() && !c.ia32eGuest(); }},
    EntryCheck{A::HostState,
               "64-bit host: HOST_CR4.PAE = 1 and HOST_RIP canonical; else RIP < 4 GiB",
               [](const Ctx &c) {
                 uint64_t rip = c.get(f::HostRip);
                 return c.host64() ? (c.get(f::HostCr4) & vmx_cap::Cr4Pae) && isCanonical(rip)
                                   : (rip >> 32) == 0;
               }},
    // SDM 26.3.1: guest-state area -> VM-entry failure, exit reason 33.
    EntryCheck{A::GuestState, "GUEST_CR0 respects the fixed bits (PE, PG free if unrestricted)",
               [](const Ctx &c) {
                 uint64_t fixed0 = vmx_cap::Cr0Fixed0;
                 if (c.unrestricted())
                   fixed0 &= ~(vmx_cap::Cr0Pe | vmx_cap::Cr0Pg);
                 return fixedOk(c.get(vmcs::GuestCr0), fixed0, vmx_cap::Cr0Fixed1);
               }},
    EntryCheck{A::GuestState, "GUEST_CR0: PG = 1 requires PE = 1",
               [](const Ctx &c) {
                 uint64_t cr0 = c.get(vmcs::GuestCr0);
                 return !(cr0 & vmx_cap::Cr0Pg) || (cr0 & vmx_cap::Cr0Pe);
               }},
    EntryCheck{A::GuestState, "GUEST_CR4 respects IA32_VMX_CR4_FIXED0/1",
               [](const Ctx &c) {
                 return fixedOk(c.get(vmcs::GuestCr4), vmx_cap::Cr4Fixed0, vmx_cap::Cr4Fixed1);
               }},
    EntryCheck{
        A::GuestState, "GUEST_DR7[63:32] = 0 (load debug controls)",
        [](const Ctx &c) { return !(c.entry & (1u << 2)) || (c.get(f::GuestDr7) >> 32) == 0; }},
    EntryCheck{A::GuestState, "IA-32e mode guest: CR0.PG = CR4.PAE = 1; otherwise CR4.PCIDE = 0",
               [](const Ctx &c) {
                 uint64_t cr0 = c.get(vmcs::GuestCr0), cr4 = c.get(vmcs::GuestCr4);
                 return c.ia32eGuest() ? (cr0 & vmx_cap::Cr0Pg) && (cr4 & vmx_cap::Cr4Pae)
                                       : !(cr4 & vmx_cap::Cr4Pcide);
               }},
    EntryCheck{A::GuestState, "GUEST_CR3 is within MAXPHYADDR",
               [](const Ctx &c) { return physAddrValid(c.get(vmcs::GuestCr3)); }},
    EntryCheck{A::GuestState, "guest SYSENTER_ESP/EIP are canonical",
               [](const Ctx &c) {
                 return isCanonical(c.get(f::GuestSysenterEsp)) &&
                        isCanonical(c.get(f::GuestSysenterEip));
               }},
    EntryCheck{
        A::GuestState, "GUEST_IA32_PAT holds valid memory types",
        [](const Ctx &c) { return !(c.entry & (1u << 14)) || patValid(c.get(f::GuestIa32Pat)); }},
    EntryCheck{A::GuestState, "GUEST_IA32_EFER: reserved bits 0, LMA = IA-32e mode guest",
               guestEferOk},
    EntryCheck{A::GuestState, "TR: TI 0, usable, busy TSS type, S 0, present, limit matches G",
               trOk},
    EntryCheck{A::GuestState, "LDTR (if usable): TI 0, type 2, S 0, present", ldtrOk},
    EntryCheck{A::GuestState, "CS/SS/DS/ES/FS/GS access rights, DPLs and RPLs", segRegsOk},
    EntryCheck{A::GuestState, "segment bases: TR/FS/GS/LDTR canonical, CS/SS/DS/ES below 4 GiB",
               segBasesOk},
    EntryCheck{A::GuestState, "GDTR/IDTR: bases canonical, limits below 64 KiB",
               [](const Ctx &c) {
                 return isCanonical(c.get(f::GuestGdtrBase)) &&
                        isCanonical(c.get(f::GuestIdtrBase)) &&
                        (c.get(f::GuestGdtrLimit) >> 16) == 0 &&
                        (c.get(f::GuestIdtrLimit) >> 16) == 0;
               }},
    EntryCheck{A::GuestState, "GUEST_RIP: canonical with 64-bit CS, else bits 63:32 = 0",
               guestRipOk},
    EntryCheck{A::GuestState, "GUEST_RFLAGS: reserved bits 0 and bit 1 = 1",
               [](const Ctx &c) {
                 uint64_t fl = c.get(f::GuestRflags);
                 return (fl & kRflagsReserved) == 0 && (fl & 2);
               }},
    EntryCheck{A::GuestState, "GUEST_RFLAGS.VM = 0 for IA-32e or real-mode guests",
               [](const Ctx &c) {
                 bool pe = c.get(vmcs::GuestCr0) & vmx_cap::Cr0Pe;
                 return !c.v86() || (!c.ia32eGuest() && pe);
               }},
    EntryCheck{
        A::GuestState, "injecting an external interrupt needs RFLAGS.IF = 1",
        [](const Ctx &c) { return !c.injectingExtInt() || (c.get(f::GuestRflags) & kRflagsIf); }},
    EntryCheck{A::GuestState, "activity state is supported (0-3); HLT needs SS.DPL = 0",
               [](const Ctx &c) {
                 uint64_t a = c.get(f::GuestActivityState);
                 return a <= vmx_cap::MaxActivityState && (a != 1 || c.dpl(SegReg::Ss) == 0);
               }},
    EntryCheck{A::GuestState,
               "interruptibility: reserved bits 0, not STI and MOV-SS together, "
               "no STI blocking with IF = 0 or an injected interrupt",
               [](const Ctx &c) {
                 uint64_t i = c.get(f::GuestInterruptibility);
                 bool ifl = c.get(f::GuestRflags) & kRflagsIf;
                 return (i >> 5) == 0 && (i & 3) != 3 && (ifl || !(i & 1)) &&
                        (!c.injectingExtInt() || (i & 3) == 0);
               }},
    EntryCheck{A::GuestState, "VMCS link pointer is all ones or names a valid VMCS", linkPointerOk,
               4},
};

} // namespace

bool isCanonical(uint64_t linear) {
  auto top = int64_t(linear) >> (vmx_cap::LinearAddrBits - 1);
  return top == 0 || top == -1;
}

bool physAddrValid(uint64_t pa) { return (pa >> vmx_cap::PhysAddrBits) == 0; }

bool patValid(uint64_t pat) {
  for (unsigned i = 0; i < 8; ++i) {
    uint64_t t = (pat >> (8 * i)) & 0xff;
    if (t == 2 || t == 3 || t > 7)
      return false;
  }
  return true;
}

bool eptPointerValid(uint64_t eptp) {
  uint64_t type = eptp & 7, walk = (eptp >> 3) & 7;
  return (type == 0 || type == 6) && walk == 3 && (eptp & 0xf80) == 0 && physAddrValid(eptp);
}

std::optional<EntryCheckFailure> checkVmEntry(const EntryCheckInput &in) {
  const Vmcs &v = *in.vmcs;
  Ctx c{in,
        v,
        uint32_t(v.get(vmcs::PinBasedControls)),
        uint32_t(v.get(vmcs::CpuBasedControls)),
        secondaryControls(v),
        uint32_t(v.get(vmcs::ExitControls)),
        uint32_t(v.get(vmcs::EntryControls))};
  for (const auto &check : kChecks)
    if (!check.ok(c))
      return EntryCheckFailure{check.area, check.what, check.qualification};
  return std::nullopt;
}

} // namespace ringside
