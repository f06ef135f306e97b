#pragma once
// VMX operation of one virtual CPU whose guest is itself a hypervisor: VMXON, VMXOFF, VMCLEAR,
// VMPTRLD, VMPTRST, VMREAD, VMWRITE, VMLAUNCH, VMRESUME, INVEPT and INVVPID with the checks and
// VMsucceed/VMfail conventions of the SDM's instruction pages (vol. 3C ch. 31), and the VM exit
// that returns from the nested guest to the guest hypervisor's HOST_RIP.
//
// Not modelled here: the caller decodes the instruction (a register operand where memory is
// required is #UD), reads the 64-bit memory operand of VMXON/VMCLEAR/VMPTRLD and the INVEPT/
// INVVPID descriptors, and translates VMPTRST's destination; SMX/SMM, A20M, dual-monitor
// treatment, VMCS shadowing (a shadow VMCS can be made current but not launched), and the
// VM-exit MSR-store list.
#include "vmx/exit_decision.h"
#include "vmx/vmx_instructions.h"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>

namespace ringside {

class VmxMachine {
public:
  static constexpr uint64_t kNoVmcs = ~0ull; ///< the current-VMCS pointer when none is current
  enum class LaunchState : uint8_t { Clear, Launched };
  /// Receives every VMCS field change, with the guest-physical address of its region.
  using Listener = std::function<void(uint64_t region, const VmcsEvent &)>;

  explicit VmxMachine(VmxCpu &cpu) : cpu_(cpu) {}

  VmxResult vmxon(uint64_t region); ///< the pointer read from VMXON's m64 operand
  VmxResult vmxoff();
  VmxResult vmclear(uint64_t region);
  VmxResult vmptrld(uint64_t region);
  /// Stores the current-VMCS pointer (8 bytes) at `dest` through VmxCpu::writePhys.
  VmxResult vmptrst(uint64_t dest);
  /// `encoding` is the full register operand; in 64-bit mode bits 63:32 must be 0. Outside
  /// 64-bit mode the operand is 32 bits: VMREAD returns bits 31:0, VMWRITE zero-extends.
  VmxResult vmread(uint64_t encoding);
  VmxResult vmwrite(uint64_t encoding, uint64_t value);
  VmxResult vmlaunch() { return enter(true); }
  VmxResult vmresume() { return enter(false); }
  /// `type` is the register operand; the 128-bit descriptor as its two halves.
  VmxResult invept(uint64_t type, uint64_t descLow, uint64_t descHigh = 0);
  VmxResult invvpid(uint64_t type, uint64_t descLow, uint64_t descHigh = 0);

  /// The nested guest exits (a decision from decideExit): writes the exit information, saves
  /// `guest` into the guest-state area and returns the host state the caller must load.
  /// nullopt when no nested guest is running.
  std::optional<VmxTransition> vmExit(const ExitInfo &info, const VmxRegisterState &guest);

  bool inVmxOperation() const { return inVmx_; }
  bool nonRoot() const { return nonRoot_; }
  uint64_t vmxonPointer() const { return vmxon_; }
  uint64_t currentVmcsPointer() const { return current_; }
  Vmcs *currentVmcs();
  const Vmcs *vmcsAt(uint64_t region) const;
  std::optional<LaunchState> launchState(uint64_t region) const;
  size_t regionCount() const { return regions_.size(); }
  void setListener(Listener l);

private:
  struct Region {
    Vmcs vmcs;
    LaunchState launch = LaunchState::Clear;
    bool shadow = false;      ///< revision bit 31 set: a shadow VMCS
    bool vmxoffAfter = false; ///< launched, then VMXOFF without VMCLEAR (VMRESUME error 6)
  };

  /// #UD for a mode VMX instructions reject, VM exit in non-root, #GP(0) at CPL > 0.
  std::optional<VmxResult> commonChecks(GuestOp op);
  VmxResult succeed(uint64_t value = 0);
  VmxResult failInvalid(std::string_view why);
  /// VMfail(error): VMfailValid with a current VMCS, VMfailInvalid without one.
  VmxResult fail(uint32_t error, std::string_view why);
  VmxResult enter(bool launch);
  Region &region(uint64_t gpa);
  uint32_t readRevision(uint64_t gpa);
  bool longMode() const { return cpu_.mode() == VmxCpuMode::Long64; }

  VmxCpu &cpu_;
  bool inVmx_ = false;
  bool nonRoot_ = false;
  uint64_t vmxon_ = kNoVmcs;
  uint64_t current_ = kNoVmcs;
  std::map<uint64_t, Region> regions_; ///< by guest-physical address; nodes never move
  Listener listener_;
};

} // namespace ringside
