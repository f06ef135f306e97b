#pragma once
// fuzz_vmcs: bytes → three workloads on the VMCS model, chosen per step by one byte:
//  - VMREAD / VMWRITE / set on a Vmcs with arbitrary encodings (a table field, its HIGH alias or
//    32 random bits) and values, checked against a shadow copy of every full field;
//  - decideExit on an arbitrary GuestOperation, its exit information written back with
//    writeExitInfo and read again;
//  - VMX instructions (VMXON … INVVPID, nested exits) on a VmxMachine over a fake CPU with
//    64 KiB of RAM, the CPU's mode, CPL and CR4 fuzzed too.
// Invariants: no crash; VMREAD after a successful VMWRITE gives the value masked to the field's
// width; errors only from the documented set (12 and 13 for the VMCS, the SDM's VM-instruction
// error table for the machine); the RFLAGS conventions of VMsucceed/VMfail.
#include "fuzz_input.h"
#include "vmx/exit_decision.h"
#include "vmx/vm_instruction_errors.h"
#include "vmx/vmcs.h"
#include "vmx/vmcs_fields.h"
#include "vmx/vmx_machine.h"

#include <cstring>
#include <map>

namespace ringside::fuzz {

inline uint64_t vmcsFieldMask(const VmcsFieldInfo &f) {
  const unsigned bits = vmcsFieldBits(f);
  return bits >= 64 ? ~0ull : (1ull << bits) - 1;
}

/// A table field (or its HIGH alias) most of the time, so writes land; otherwise any 32 bits.
inline uint32_t takeEncoding(FuzzInput &in) {
  const uint8_t how = in.take<uint8_t>();
  const auto fields = vmcsFields();
  if (how < 0xC0)
    return fields[in.take<uint16_t>() % fields.size()].encoding ^ (how & 0x80 ? 1u : 0u);
  return in.take<uint32_t>();
}

/// The model's VMCS and what every full field must hold.
class VmcsShadow {
public:
  VmcsShadow() {
    vmcs_.setListener([this](const VmcsEvent &e) {
      check(e.oldValue != e.newValue, "a listener event for an unchanged field");
      const auto *f = findVmcsField(e.encoding);
      check(f && !f->high, "a listener event names a HIGH alias or an unknown field");
    });
  }

  void step(FuzzInput &in) {
    const uint8_t op = in.take<uint8_t>() % 5;
    const uint32_t enc = takeEncoding(in);
    const auto *f = findVmcsField(enc);
    if (op == 0) {
      const uint64_t value = in.take<uint64_t>();
      const auto r = vmcs_.vmwrite(enc, value);
      if (!f)
        check(r.error == vmx_error::UnsupportedVmcsComponent, "VMWRITE of an unknown field");
      else if (f->type == VmcsType::ExitInfo && !vmcs_.vmwriteAnyField())
        check(r.error == vmx_error::VmwriteReadOnlyComponent, "VMWRITE of a read-only field");
      else
        check(r.ok(), "VMWRITE of a writable field failed");
      if (r.ok()) {
        remember(*f, value);
        check(vmcs_.vmread(enc).value == (value & vmcsFieldMask(*f)),
              "VMREAD after VMWRITE is not the value masked to the field width");
      }
    } else if (op == 1) {
      const uint64_t value = in.take<uint64_t>();
      check(vmcs_.set(enc, value) == (f != nullptr), "set() accepts exactly the table's fields");
      if (f)
        remember(*f, value);
    } else if (op == 2) {
      vmcs_.setVmwriteAnyField(in.takeBool());
    } else {
      const auto r = vmcs_.vmread(enc);
      check(r.error == (f ? vmx_error::None : vmx_error::UnsupportedVmcsComponent),
            "VMREAD error is neither none nor 12");
      check(r.value == (f ? expected(*f) : 0), "VMREAD differs from the last write");
      check(vmcs_.get(enc) == r.value, "get() differs from VMREAD");
    }
  }

  Vmcs &vmcs() { return vmcs_; }
  /// After the processor's own writes the model is the truth: take every field from it.
  void resync() {
    full_.clear();
    for (const auto &[encoding, value] : vmcs_.values())
      full_[encoding] = value;
  }

private:
  void remember(const VmcsFieldInfo &f, uint64_t value) {
    uint64_t &slot = full_[f.encoding & ~1u];
    slot = f.high ? (slot & 0xffffffffull) | (value << 32) : value & vmcsFieldMask(f);
  }
  uint64_t expected(const VmcsFieldInfo &f) const {
    const auto it = full_.find(f.encoding & ~1u);
    const uint64_t full = it == full_.end() ? 0 : it->second;
    return f.high ? full >> 32 : full & vmcsFieldMask(f);
  }

  Vmcs vmcs_;
  std::map<uint32_t, uint64_t> full_; ///< by full encoding (bit 0 clear); absent = never written
};

inline GuestOperation takeGuestOperation(FuzzInput &in) {
  GuestOperation op;
  op.op = static_cast<GuestOp>(in.take<uint8_t>() % (uint8_t(GuestOp::EptMisconfig) + 1));
  op.insnLength = in.take<uint8_t>();
  op.cpl = in.take<uint8_t>() & 3;
  op.cr = in.take<uint8_t>() & 15;
  op.dr = in.take<uint8_t>() & 15;
  op.gpr = in.take<uint8_t>() & 15;
  op.value = in.take<uint64_t>();
  op.memoryOperand = in.takeBool();
  op.msr = in.take<uint32_t>();
  op.port = in.take<uint16_t>();
  op.size = in.take<uint8_t>();
  const uint8_t flags = in.take<uint8_t>();
  op.in = flags & 1, op.string = flags & 2, op.rep = flags & 4, op.immediate = flags & 8;
  op.monitorArmed = flags & 16;
  op.linearAddress = in.take<uint64_t>();
  op.guestPhysical = in.take<uint64_t>();
  op.qualification = in.take<uint64_t>();
  op.operand.isRegister = in.takeBool();
  op.operand.reg1 = in.take<uint8_t>();
  op.operand.reg2 = in.take<uint8_t>();
  op.operand.scale = in.take<uint8_t>();
  op.operand.addrSize = in.take<uint8_t>();
  op.operand.operandSize = in.take<uint8_t>();
  op.operand.segment = in.take<uint8_t>();
  op.operand.index = in.take<uint8_t>();
  op.operand.indexValid = in.takeBool();
  op.operand.base = in.take<uint8_t>();
  op.operand.baseValid = in.takeBool();
  op.operand.displacement = in.take<uint64_t>();
  op.vector = in.take<uint8_t>();
  op.interruptionType = static_cast<InterruptionType>(in.take<uint8_t>() & 7);
  op.hasErrorCode = in.takeBool();
  op.errorCode = in.take<uint32_t>();
  if (flags & 32)
    op.vectoring =
        VectoringEvent{in.take<uint8_t>(), static_cast<InterruptionType>(in.take<uint8_t>() & 7),
                       in.takeBool(), in.take<uint32_t>()};
  return op;
}

inline void fuzzExitDecision(VmcsShadow &shadow, FuzzInput &in) {
  const GuestOperation op = takeGuestOperation(in);
  Vmcs &vmcs = shadow.vmcs();
  const ExitDecision d = decideExit(vmcs, op);
  const ExitDecision again = decideExit(vmcs, op);
  check(d.outcome == again.outcome && d.info.reason == again.info.reason &&
            d.info.qualification == again.info.qualification,
        "decideExit is not a function of the VMCS and the operation");
  if (!d.exits())
    return;
  const auto before = vmcs.values();
  writeExitInfo(vmcs, d.info);
  for (const auto &[encoding, value] : vmcs.values()) {
    const auto it = before.find(encoding);
    const bool changed = it == before.end() ? value != 0 : it->second != value;
    check(!changed || findVmcsField(encoding)->type == VmcsType::ExitInfo,
          "writeExitInfo changed a field outside the exit-information area");
  }
  shadow.resync();
  check((vmcs.get(0x4402) & 0xffff) == d.info.reason, "VM_EXIT_REASON differs from the decision");
  check(vmcs.get(0x6400) == d.info.qualification, "EXIT_QUALIFICATION differs from the decision");
}

/// The CPU a fuzzed guest hypervisor runs on: every property the VMX checks look at is fuzzed.
class FuzzVmxCpu : public VmxCpu {
public:
  FuzzVmxCpu() : ram_(64 << 10, 0) {}
  uint8_t cpl() const override { return cpl_; }
  uint64_t cr0() const override { return cr0_; }
  uint64_t cr4() const override { return cr4_; }
  uint64_t rflags() const override { return rflags_; }
  void setRflags(uint64_t v) override { rflags_ = v; }
  VmxCpuMode mode() const override { return mode_; }
  uint64_t featureControl() const override { return featureControl_; }
  bool blockedByMovSs() const override { return movSs_; }
  bool readPhys(uint64_t gpa, void *dst, size_t len) override {
    if (gpa > ram_.size() || len > ram_.size() - gpa)
      return false;
    std::memcpy(dst, ram_.data() + gpa, len);
    return true;
  }
  bool writePhys(uint64_t gpa, const void *src, size_t len) override {
    if (gpa > ram_.size() || len > ram_.size() - gpa)
      return false;
    std::memcpy(ram_.data() + gpa, src, len);
    return true;
  }
  /// Mostly a sane 64-bit CPL 0 hypervisor, sometimes anything.
  void mutate(FuzzInput &in) {
    const uint8_t what = in.take<uint8_t>();
    cpl_ = what & 0x10 ? what & 3 : 0;
    mode_ = what & 0x20 ? static_cast<VmxCpuMode>((what >> 2) % 5) : VmxCpuMode::Long64;
    cr4_ = what & 0x40 ? in.take<uint64_t>() : 0x2020;
    cr0_ = what & 0x80 ? in.take<uint64_t>() : 0x80000031;
    featureControl_ = what & 1 ? in.take<uint8_t>() : 5;
    movSs_ = (what & 3) == 3;
  }
  /// Writes a revision id (valid, shadow or random) at the start of a region.
  void plantRegion(uint64_t gpa, uint32_t revision) { writePhys(gpa, &revision, 4); }

private:
  std::vector<uint8_t> ram_;
  uint8_t cpl_ = 0;
  uint64_t cr0_ = 0x80000031, cr4_ = 0x2020, rflags_ = 2;
  VmxCpuMode mode_ = VmxCpuMode::Long64;
  uint64_t featureControl_ = 5;
  bool movSs_ = false;
};

/// A region address: one of four page-aligned regions in RAM, or anything.
inline uint64_t takeRegion(FuzzInput &in) {
  const uint8_t how = in.take<uint8_t>();
  return how < 0xE0 ? 0x1000ull * (1 + (how & 3)) : in.take<uint64_t>();
}

inline bool documentedVmError(uint32_t error) {
  for (const auto &e : vmInstructionErrors())
    if (e.number == error)
      return true;
  return false;
}

inline void checkVmxResult(const VmxResult &r, const FuzzVmxCpu &cpu, VmxMachine &m) {
  const uint64_t flags = cpu.rflags();
  if (r.status == VmxStatus::Succeed)
    check((flags & 0x8d5) == 0, "VMsucceed left an arithmetic flag set");
  if (r.status == VmxStatus::FailInvalid)
    check((flags & 1) != 0, "VMfailInvalid without CF");
  if (r.status == VmxStatus::FailValid) {
    check((flags & 0x40) != 0, "VMfailValid without ZF");
    check(documentedVmError(r.error),
          "VM-instruction error " + std::to_string(r.error) + " is not in the SDM's table");
    const Vmcs *current = m.currentVmcs();
    check(current != nullptr, "VMfailValid without a current VMCS");
    check(current->get(vmcs::VmInstructionError) == r.error,
          "VM_INSTRUCTION_ERROR differs from the error returned");
  }
}

inline void fuzzVmxStep(VmxMachine &m, FuzzVmxCpu &cpu, FuzzInput &in) {
  const uint8_t op = in.take<uint8_t>() % 14;
  VmxResult r;
  switch (op) {
  case 0:
    r = m.vmxon(takeRegion(in));
    break;
  case 1:
    r = m.vmxoff();
    break;
  case 2:
    r = m.vmclear(takeRegion(in));
    break;
  case 3:
    r = m.vmptrld(takeRegion(in));
    break;
  case 4:
    r = m.vmptrst(takeRegion(in));
    break;
  case 5:
    r = m.vmread(in.takeBool() ? takeEncoding(in) : in.take<uint64_t>());
    break;
  case 6: {
    const uint32_t enc = takeEncoding(in);
    const uint64_t value = in.take<uint64_t>();
    r = m.vmwrite(enc, value);
    const auto *f = findVmcsField(enc);
    if (r.status == VmxStatus::Succeed && f && cpu.mode() == VmxCpuMode::Long64 && !m.nonRoot()) {
      const VmxResult back = m.vmread(enc);
      check(back.status == VmxStatus::Succeed && back.value == (value & vmcsFieldMask(*f)),
            "VmxMachine VMREAD after VMWRITE is not the value masked to the field width");
    }
    break;
  }
  case 7:
    r = m.vmlaunch();
    break;
  case 8:
    r = m.vmresume();
    break;
  case 9:
    r = m.invept(in.take<uint8_t>(), in.take<uint64_t>(), in.take<uint64_t>());
    break;
  case 10:
    r = m.invvpid(in.take<uint8_t>(), in.take<uint64_t>(), in.take<uint64_t>());
    break;
  case 11: {
    ExitInfo info;
    info.reason = in.take<uint8_t>();
    info.qualification = in.take<uint64_t>();
    const bool wasNonRoot = m.nonRoot();
    const auto t = m.vmExit(info, VmxRegisterState{});
    check(t.has_value() == wasNonRoot, "vmExit answers exactly when a nested guest runs");
    check(!m.nonRoot(), "still non-root after a VM exit");
    return;
  }
  case 12:
    cpu.mutate(in);
    return;
  default: {
    const uint8_t kind = in.take<uint8_t>();
    const uint32_t revision = kind < 0xC0 ? 4 : kind < 0xE0 ? 0x80000004u : in.take<uint32_t>();
    cpu.plantRegion(takeRegion(in), revision);
    return;
  }
  }
  checkVmxResult(r, cpu, m);
}

inline int fuzzVmcs(const uint8_t *data, size_t size) {
  FuzzInput in(data, size);
  VmcsShadow shadow;
  FuzzVmxCpu cpu;
  for (uint64_t r = 0x1000; r <= 0x4000; r += 0x1000)
    cpu.plantRegion(r, 4); // vmx_cap::VmcsRevisionId
  VmxMachine machine(cpu);
  // Bounded: a step consumes at least one byte, and zeros past the end keep going.
  for (size_t steps = 0; steps < size && steps < 4096; ++steps) {
    const uint8_t workload = in.take<uint8_t>();
    if (workload < 0x60)
      shadow.step(in);
    else if (workload < 0x90)
      fuzzExitDecision(shadow, in);
    else
      fuzzVmxStep(machine, cpu, in);
  }
  return 0;
}

} // namespace ringside::fuzz
