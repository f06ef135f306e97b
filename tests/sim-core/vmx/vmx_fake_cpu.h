#pragma once
// A CPU for the VMX-instruction tests: a 64-bit guest hypervisor at CPL 0 with CR4.VMXE set,
// IA32_FEATURE_CONTROL locked with VMX enabled, 1 MiB of guest-physical RAM, and a VMCS the
// model accepts (see validVmcs()).
#include "vmx/vmx_controls.h"
#include "vmx/vmx_instructions.h"
#include "vmx/vmx_machine.h"

#include <cstring>
#include <gtest/gtest.h>
#include <vector>

namespace ringside::testing {

class FakeVmxCpu : public VmxCpu {
public:
  FakeVmxCpu() : ram(1 << 20) {}
  uint8_t cpl() const override { return cplValue; }
  uint64_t cr0() const override { return cr0Value; }
  uint64_t cr4() const override { return cr4Value; }
  uint64_t rflags() const override { return rflagsValue; }
  void setRflags(uint64_t v) override { rflagsValue = v; }
  VmxCpuMode mode() const override { return modeValue; }
  uint64_t featureControl() const override { return featureControlValue; }
  bool blockedByMovSs() const override { return movSs; }
  bool readPhys(uint64_t gpa, void *dst, size_t len) override {
    if (gpa + len > ram.size())
      return false;
    std::memcpy(dst, ram.data() + gpa, len);
    return true;
  }
  bool writePhys(uint64_t gpa, const void *src, size_t len) override {
    if (gpa + len > ram.size())
      return false;
    std::memcpy(ram.data() + gpa, src, len);
    return true;
  }
  void put32(uint64_t gpa, uint32_t v) { writePhys(gpa, &v, 4); }
  void put64(uint64_t gpa, uint64_t v) { writePhys(gpa, &v, 8); }
  uint64_t get64(uint64_t gpa) {
    uint64_t v = 0;
    readPhys(gpa, &v, 8);
    return v;
  }
  bool cf() const { return rflagsValue & 1; }
  bool zf() const { return rflagsValue & 0x40; }

  uint8_t cplValue = 0;
  uint64_t cr0Value = 0x80000031; // PE, ET, NE, PG
  uint64_t cr4Value = 0x2020;     // PAE, VMXE
  uint64_t rflagsValue = 0x2;
  VmxCpuMode modeValue = VmxCpuMode::Long64;
  uint64_t featureControlValue = feature_control::Lock | feature_control::VmxOutsideSmx;
  bool movSs = false;
  std::vector<uint8_t> ram;
};

inline constexpr uint64_t kVmxonRegion = 0x10000;
inline constexpr uint64_t kVmcsA = 0x11000;
inline constexpr uint64_t kVmcsB = 0x12000;
inline constexpr uint64_t kHostRip = 0x401000, kHostRsp = 0x7ff000;
inline constexpr uint64_t kGuestRip = 0x8000, kGuestRsp = 0x9000;

/// Revision ids written into the three regions, then VMXON.
inline void enterVmx(FakeVmxCpu &cpu, VmxMachine &m) {
  for (uint64_t r : {kVmxonRegion, kVmcsA, kVmcsB})
    cpu.put32(r, vmx_cap::VmcsRevisionId);
  ASSERT_EQ(m.vmxon(kVmxonRegion).status, VmxStatus::Succeed);
}

/// VMWRITEs of a minimal valid VMCS: 64-bit host, 32-bit protected-mode flat guest.
inline void writeValidVmcs(VmxMachine &m) {
  struct W {
    uint32_t enc;
    uint64_t value;
  };
  const W writes[] = {
      {vmcs::PinBasedControls, adjustControls(vmcs::PinBasedControls, 0)},
      {vmcs::CpuBasedControls, adjustControls(vmcs::CpuBasedControls, ctl::HltExiting)},
      {vmcs::ExitControls, adjustControls(vmcs::ExitControls, 1u << 9)}, // 64-bit host
      {vmcs::EntryControls, adjustControls(vmcs::EntryControls, 0)},
      {vmcs_state::VmcsLinkPointer, ~0ull},
      {vmcs_state::HostCr0, 0x80000031},
      {vmcs_state::HostCr3, 0x1000},
      {vmcs_state::HostCr4, 0x2020},
      {0x0c02, 0x08}, // HOST_CS_SELECTOR
      {0x0c04, 0x10}, // HOST_SS_SELECTOR
      {0x0c0c, 0x18}, // HOST_TR_SELECTOR
      {vmcs_state::HostRip, kHostRip},
      {vmcs_state::HostRsp, kHostRsp},
      {vmcs::GuestCr0, 0x80000031}, // PE, ET, NE, PG (32-bit paging)
      {vmcs::GuestCr3, 0x2000},
      {vmcs::GuestCr4, 0x2000},
      {0x0802, 0x08},       // GUEST_CS_SELECTOR
      {0x4802, 0xffffffff}, // GUEST_CS_LIMIT
      {0x4816, 0xc09b},     // GUEST_CS_AR_BYTES: 32-bit code, DPL 0
      {0x0804, 0x10},       // GUEST_SS_SELECTOR
      {0x4804, 0xffffffff}, // GUEST_SS_LIMIT
      {0x4818, 0xc093},     // GUEST_SS_AR_BYTES
      {0x4814, 0x10000},    // ES unusable
      {0x481a, 0x10000},    // DS unusable
      {0x481c, 0x10000},    // FS unusable
      {0x481e, 0x10000},    // GS unusable
      {0x4820, 0x10000},    // LDTR unusable
      {0x080e, 0x18},       // GUEST_TR_SELECTOR
      {0x480e, 0x67},       // GUEST_TR_LIMIT
      {0x4822, 0x8b},       // GUEST_TR_AR_BYTES: busy TSS
      {vmcs::GuestRip, kGuestRip},
      {vmcs_state::GuestRsp, kGuestRsp},
      {vmcs_state::GuestRflags, 0x2},
  };
  for (const auto &w : writes)
    ASSERT_EQ(m.vmwrite(w.enc, w.value).status, VmxStatus::Succeed)
        << "VMWRITE " << std::hex << w.enc;
}

} // namespace ringside::testing
