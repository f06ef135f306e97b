#include "vmx/vmx_instructions.h"

namespace ringside {
namespace {

constexpr std::array kSegmentFields = {
    SegmentFields{SegReg::Es, "ES", 0x0800, 0x4800, 0x4814, 0x6806, 0x0c00, 0},
    SegmentFields{SegReg::Cs, "CS", 0x0802, 0x4802, 0x4816, 0x6808, 0x0c02, 0},
    SegmentFields{SegReg::Ss, "SS", 0x0804, 0x4804, 0x4818, 0x680a, 0x0c04, 0},
    SegmentFields{SegReg::Ds, "DS", 0x0806, 0x4806, 0x481a, 0x680c, 0x0c06, 0},
    SegmentFields{SegReg::Fs, "FS", 0x0808, 0x4808, 0x481c, 0x680e, 0x0c08, 0x6c06},
    SegmentFields{SegReg::Gs, "GS", 0x080a, 0x480a, 0x481e, 0x6810, 0x0c0a, 0x6c08},
    SegmentFields{SegReg::Ldtr, "LDTR", 0x080c, 0x480c, 0x4820, 0x6812, 0, 0},
    SegmentFields{SegReg::Tr, "TR", 0x080e, 0x480e, 0x4822, 0x6814, 0x0c0c, 0x6c0a},
};

struct StatusName {
  VmxStatus status;
  std::string_view name;
};
constexpr std::array kStatusNames = {
    StatusName{VmxStatus::Succeed, "VMsucceed"},
    StatusName{VmxStatus::FailInvalid, "VMfailInvalid"},
    StatusName{VmxStatus::FailValid, "VMfailValid"},
    StatusName{VmxStatus::Ud, "#UD"},
    StatusName{VmxStatus::Gp, "#GP(0)"},
    StatusName{VmxStatus::NestedExit, "VM exit to the guest hypervisor"},
    StatusName{VmxStatus::Entered, "VM entry"},
    StatusName{VmxStatus::EntryFailed, "VM-entry failure"},
};

// Control bits of the state transfer (vmx_constants.json "VM_EXIT/ENTRY_CONTROLS bits").
constexpr uint32_t kExitSaveDebug = 1u << 2, kExitHostAddrSpace = 1u << 9, kExitSavePat = 1u << 18,
                   kExitLoadPat = 1u << 19, kExitSaveEfer = 1u << 20, kExitLoadEfer = 1u << 21;
constexpr uint32_t kEntryLoadDebug = 1u << 2, kEntryIa32e = 1u << 9, kEntryLoadPat = 1u << 14,
                   kEntryLoadEfer = 1u << 15;
constexpr uint64_t kEferLme = 1u << 8, kEferLma = 1u << 10;

// Segment attributes VM exit gives the host (SDM 27.5.2): flat, present, DPL 0, 4 GiB granular.
constexpr uint32_t kHostCodeAr = 0x809b; // type 11, S, P, G; L or D/B added below
constexpr uint32_t kHostDataAr = 0xc093; // type 3, S, P, D/B, G
constexpr uint32_t kHostTrAr = 0x008b;   // busy 64/32-bit TSS, P
constexpr uint32_t kUnusable = 1u << 16;

uint32_t exitControls(const Vmcs &v) { return uint32_t(v.get(vmcs::ExitControls)); }
uint32_t entryControls(const Vmcs &v) { return uint32_t(v.get(vmcs::EntryControls)); }

} // namespace

uint64_t vmx_cap::basicMsr() {
  // Revision id, 4 KiB VMCS regions, write-back memory, INS/OUTS instruction information
  // (bit 54) and the TRUE_* control MSRs (bit 55).
  return VmcsRevisionId | 4096ull << 32 | 6ull << 50 | 1ull << 54 | 1ull << 55;
}

uint64_t vmx_cap::miscMsr() {
  // LMA stored into "IA-32e mode guest" on exit (5), HLT/shutdown/wait-for-SIPI (8:6),
  // four CR3-target values (24:16), 512-entry MSR lists (27:25 = 0).
  return 1ull << 5 | 7ull << 6 | 4ull << 16;
}

uint64_t vmx_cap::eptVpidCapMsr() {
  // Execute-only, 4-level walk, UC and WB EPT structures, 2 MiB/1 GiB pages, INVEPT, A/D bits,
  // INVEPT types at 24+type, INVVPID at 32 and its types at 40+type.
  return 1ull << 0 | 1ull << 6 | 1ull << 8 | 1ull << 14 | 1ull << 16 | 1ull << 17 | 1ull << 20 |
         1ull << 21 | uint64_t(InveptTypes) << 24 | 1ull << 32 | uint64_t(InvvpidTypes) << 40;
}

std::span<const SegmentFields> segmentFields() { return kSegmentFields; }

std::string_view vmxStatusName(VmxStatus s) {
  for (const auto &n : kStatusNames)
    if (n.status == s)
      return n.name;
  return "?";
}

VmxTransition loadGuestState(const Vmcs &v) {
  namespace f = vmcs_state;
  VmxTransition t;
  VmxRegisterState &g = t.state;
  g.cr0 = v.get(vmcs::GuestCr0);
  g.cr3 = v.get(vmcs::GuestCr3);
  g.cr4 = v.get(vmcs::GuestCr4);
  g.dr7 = v.get(f::GuestDr7);
  g.rsp = v.get(f::GuestRsp);
  g.rip = v.get(vmcs::GuestRip);
  g.rflags = v.get(f::GuestRflags);
  for (const auto &s : kSegmentFields)
    g[s.reg] = {uint16_t(v.get(s.selector)), v.get(s.base), uint32_t(v.get(s.limit)),
                uint32_t(v.get(s.accessRights))};
  g.gdtrBase = v.get(f::GuestGdtrBase);
  g.gdtrLimit = uint32_t(v.get(f::GuestGdtrLimit));
  g.idtrBase = v.get(f::GuestIdtrBase);
  g.idtrLimit = uint32_t(v.get(f::GuestIdtrLimit));
  g.sysenterCs = uint32_t(v.get(f::GuestSysenterCs));
  g.sysenterEsp = v.get(f::GuestSysenterEsp);
  g.sysenterEip = v.get(f::GuestSysenterEip);
  g.pat = v.get(f::GuestIa32Pat);
  g.activityState = uint32_t(v.get(f::GuestActivityState));
  g.interruptibility = uint32_t(v.get(f::GuestInterruptibility));
  uint32_t entry = entryControls(v);
  t.loadDr7 = entry & kEntryLoadDebug;
  t.loadPat = entry & kEntryLoadPat;
  if (entry & kEntryLoadEfer) {
    g.efer = v.get(f::GuestIa32Efer);
  } else {
    // SDM 26.3.2.1: LMA from "IA-32e mode guest", LME too when paging is on.
    bool ia32e = entry & kEntryIa32e;
    g.efer = (ia32e ? kEferLma : 0) | (ia32e && (g.cr0 & vmx_cap::Cr0Pg) ? kEferLme : 0);
    t.eferMask = kEferLme | kEferLma;
  }
  t.injection = uint32_t(v.get(vmcs::EntryIntrInfo));
  t.injectionErrorCode = uint32_t(v.get(f::EntryExceptionErrorCode));
  t.injectionLength = uint32_t(v.get(f::EntryInstructionLen));
  return t;
}

void saveGuestState(Vmcs &v, const VmxRegisterState &g) {
  namespace f = vmcs_state;
  v.set(vmcs::GuestCr0, g.cr0);
  v.set(vmcs::GuestCr3, g.cr3);
  v.set(vmcs::GuestCr4, g.cr4);
  v.set(f::GuestRsp, g.rsp);
  v.set(vmcs::GuestRip, g.rip);
  v.set(f::GuestRflags, g.rflags);
  for (const auto &s : kSegmentFields) {
    v.set(s.selector, g[s.reg].selector);
    v.set(s.base, g[s.reg].base);
    v.set(s.limit, g[s.reg].limit);
    v.set(s.accessRights, g[s.reg].accessRights);
  }
  v.set(f::GuestGdtrBase, g.gdtrBase);
  v.set(f::GuestGdtrLimit, g.gdtrLimit);
  v.set(f::GuestIdtrBase, g.idtrBase);
  v.set(f::GuestIdtrLimit, g.idtrLimit);
  v.set(f::GuestSysenterCs, g.sysenterCs);
  v.set(f::GuestSysenterEsp, g.sysenterEsp);
  v.set(f::GuestSysenterEip, g.sysenterEip);
  v.set(f::GuestActivityState, g.activityState);
  v.set(f::GuestInterruptibility, g.interruptibility);
  uint32_t exit = exitControls(v);
  if (exit & kExitSaveDebug)
    v.set(f::GuestDr7, g.dr7);
  if (exit & kExitSavePat)
    v.set(f::GuestIa32Pat, g.pat);
  if (exit & kExitSaveEfer)
    v.set(f::GuestIa32Efer, g.efer);
  // SDM 27.2 (IA32_VMX_MISC[5]): "IA-32e mode guest" records whether the guest was in IA-32e mode.
  uint32_t entry = entryControls(v);
  v.set(vmcs::EntryControls, g.efer & kEferLma ? entry | kEntryIa32e : entry & ~kEntryIa32e);
}

VmxTransition loadHostState(const Vmcs &v) {
  namespace f = vmcs_state;
  VmxTransition t;
  VmxRegisterState &h = t.state;
  uint32_t exit = exitControls(v);
  bool host64 = exit & kExitHostAddrSpace;
  h.cr0 = v.get(f::HostCr0);
  h.cr3 = v.get(f::HostCr3);
  h.cr4 = v.get(f::HostCr4) | (host64 ? vmx_cap::Cr4Pae : 0);
  h.dr7 = 0x400;
  h.rsp = v.get(f::HostRsp);
  h.rip = v.get(f::HostRip);
  h.rflags = 2;
  for (const auto &s : kSegmentFields) {
    SegmentState &seg = h[s.reg];
    seg.selector = s.hostSelector ? uint16_t(v.get(s.hostSelector)) : 0;
    seg.base = s.hostBase ? v.get(s.hostBase) : 0;
    seg.limit = 0xffffffff;
    if (s.reg == SegReg::Cs)
      seg.accessRights = kHostCodeAr | (host64 ? 1u << 13 : 1u << 14);
    else if (s.reg == SegReg::Tr)
      seg.limit = 0x67, seg.accessRights = kHostTrAr;
    else if (s.reg == SegReg::Ldtr)
      seg.limit = 0, seg.accessRights = kUnusable;
    else
      seg.accessRights = kHostDataAr | (seg.selector == 0 ? kUnusable : 0);
  }
  h.gdtrBase = v.get(f::HostGdtrBase);
  h.idtrBase = v.get(f::HostIdtrBase);
  h.gdtrLimit = h.idtrLimit = 0xffff;
  h.sysenterCs = uint32_t(v.get(f::HostSysenterCs));
  h.sysenterEsp = v.get(f::HostSysenterEsp);
  h.sysenterEip = v.get(f::HostSysenterEip);
  t.loadPat = exit & kExitLoadPat;
  h.pat = v.get(f::HostIa32Pat);
  if (exit & kExitLoadEfer) {
    h.efer = v.get(f::HostIa32Efer);
  } else {
    h.efer = host64 ? kEferLme | kEferLma : 0;
    t.eferMask = kEferLme | kEferLma;
  }
  return t;
}

} // namespace ringside
