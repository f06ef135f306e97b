#pragma once
// The emu vCPU as the VMX instruction model sees it (vmx/vmx_instructions.h VmxCpu): the
// guest's virtual CR0/CR4, its RFLAGS, mode and CPL, IA32_FEATURE_CONTROL, and guest RAM.
#include "emu/emu_backend.h"

namespace ringside::emu {

class EmuBackend::NestedCpu : public VmxCpu {
public:
  explicit NestedCpu(EmuBackend &b) : b_(b) {}
  uint8_t cpl() const override { return (b_.reg(UC_X86_REG_CR0) & 1) ? b_.cpl() : 0; }
  uint64_t cr0() const override { return b_.guestCr0_; }
  uint64_t cr4() const override { return b_.guestCr4_; }
  uint64_t rflags() const override { return b_.reg(UC_X86_REG_RFLAGS); }
  void setRflags(uint64_t value) override { b_.setReg(UC_X86_REG_RFLAGS, value); }
  VmxCpuMode mode() const override;
  uint64_t featureControl() const override { return b_.featureControl_; }
  bool readPhys(uint64_t gpa, void *dst, size_t len) override {
    return b_.ram_->read(gpa, dst, len);
  }
  bool writePhys(uint64_t gpa, const void *src, size_t len) override {
    return b_.ram_->write(gpa, src, len);
  }

private:
  EmuBackend &b_;
};

} // namespace ringside::emu
