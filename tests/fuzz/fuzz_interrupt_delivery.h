#pragma once
// fuzz_interrupt_delivery: bytes → a CpuSnapshot, a pending event and IVT/IDT/GDT/TSS memory
// (linear 0 upwards) → planDelivery. Invariants: an ok plan pushes one contiguous frame that ends
// at the new stack pointer (16-byte aligned in IA-32e mode) and never raises the CPL; a fault
// plan names a delivery fault (#TS, #NP, #SS, #GP, #PF).
#include "cpu/interrupt_delivery.h"
#include "fuzz_input.h"

namespace ringside::fuzz {

class FlatMemory : public LinearMemory {
public:
  explicit FlatMemory(std::vector<uint8_t> bytes) : bytes_(std::move(bytes)) {}
  bool read(uint64_t linear, void *dst, size_t n) const override {
    if (linear > bytes_.size() || n > bytes_.size() - linear)
      return false;
    auto *out = static_cast<uint8_t *>(dst);
    for (size_t i = 0; i < n; ++i)
      out[i] = bytes_[linear + i];
    return true;
  }

private:
  std::vector<uint8_t> bytes_;
};

/// Does write k sit at base + (finalSp + bytes pushed after it), wrapped as the stack wraps?
inline bool frameFits(const std::vector<StackWrite> &writes, uint64_t base, uint64_t finalSp,
                      uint64_t spMask, uint64_t linearMask) {
  uint64_t above = 0;
  for (size_t k = writes.size(); k-- > 0;) {
    const uint64_t expected = (base + ((finalSp + above) & spMask)) & linearMask;
    if (writes[k].linear != expected)
      return false;
    above += writes[k].bytes.size();
  }
  return true;
}

inline void checkPlan(const CpuSnapshot &cpu, const DeliveryPlan &plan) {
  if (!plan.ok) {
    const uint8_t v = plan.fault.vector;
    check(v == 10 || v == 11 || v == 12 || v == 13 || v == 14,
          "delivery raised vector " + std::to_string(v) + ": " + plan.explanation);
    check(!plan.explanation.empty(), "a fault plan without an explanation");
    return;
  }
  const auto &writes = plan.writes;
  check(writes.size() >= 3 && writes.size() <= 6,
        "frame of " + std::to_string(writes.size()) + " pushes: " + plan.explanation);
  const size_t width = writes.front().bytes.size();
  for (const StackWrite &write : writes)
    check(write.bytes.size() == width, "pushes of different widths: " + plan.explanation);
  check(plan.newCpl <= cpu.cpl || cpu.mode == CpuMode::Real,
        "delivery raised the CPL: " + plan.explanation);

  switch (cpu.mode) {
  case CpuMode::Real:
    check(width == 2 && !plan.stackSwitch && plan.newCpl == 0, "real-mode frame shape");
    check(frameFits(writes, cpu.ssBase, plan.newRsp & 0xFFFF, 0xFFFF, ~0ull),
          "real-mode frame outside SS:SP: " + plan.explanation);
    break;
  case CpuMode::Protected: {
    check(width == 2 || width == 4, "protected-mode push width " + std::to_string(width));
    const uint64_t spFinal = plan.newRsp & 0xFFFFFFFFu;
    if (!plan.stackSwitch) {
      check(plan.newCpl == cpu.cpl, "CPL changed without a stack switch: " + plan.explanation);
      check(frameFits(writes, cpu.ssBase, spFinal, cpu.ss32 ? 0xFFFFFFFFu : 0xFFFFu, 0xFFFFFFFFu),
            "frame outside the current stack: " + plan.explanation);
    } else {
      // The new SS base comes from the GDT; recover it from the lowest push.
      const uint64_t base = (writes.back().linear - spFinal) & 0xFFFFFFFFu;
      check(frameFits(writes, base, spFinal, 0xFFFFFFFFu, 0xFFFFFFFFu) ||
                frameFits(writes, base, spFinal & 0xFFFF, 0xFFFF, 0xFFFFFFFFu),
            "frame not contiguous on the new stack: " + plan.explanation);
    }
    break;
  }
  case CpuMode::Long:
    check(width == 8 && writes.size() >= 5, "IA-32e frame shape: " + plan.explanation);
    check(frameFits(writes, 0, plan.newRsp, ~0ull, ~0ull),
          "IA-32e frame not below the new RSP: " + plan.explanation);
    check((plan.newRsp + 8 * writes.size()) % 16 == 0,
          "IA-32e frame not 16-byte aligned: " + plan.explanation);
    if (!plan.stackSwitch)
      check(plan.newCpl == cpu.cpl, "CPL changed without a stack switch: " + plan.explanation);
    break;
  }
}

inline int fuzzInterruptDelivery(const uint8_t *data, size_t size) {
  FuzzInput in(data, size);
  const auto bits = in.take<uint8_t>();
  CpuSnapshot cpu;
  cpu.mode = static_cast<CpuMode>((bits & 3) % 3);
  cpu.cpl = cpu.mode == CpuMode::Real ? 0 : (bits >> 2) & 3;
  cpu.ss32 = (bits & 0x80) != 0;
  PendingEvent event;
  event.type = static_cast<EventType>((bits >> 4) & 3);
  event.hasErrorCode = (bits & 0x40) != 0;
  event.vector = in.take<uint8_t>();
  event.errorCode = in.take<uint32_t>();
  cpu.rip = in.take<uint64_t>();
  cpu.rsp = in.take<uint64_t>();
  cpu.rflags = in.take<uint32_t>() | 2u;
  cpu.cs = in.take<uint16_t>();
  cpu.ss = in.take<uint16_t>();
  cpu.ssBase = in.take<uint32_t>();
  // Table bases are 16 bits so they mostly land in the fuzzed memory below.
  cpu.gdtr = {in.take<uint16_t>(), in.take<uint16_t>()};
  cpu.idtr = {in.take<uint16_t>(), in.take<uint16_t>()};
  cpu.tr = in.take<uint16_t>();
  cpu.trBase = in.take<uint16_t>();
  cpu.trLimit = in.take<uint16_t>();

  const FlatMemory memory(in.rest());
  checkPlan(cpu, planDelivery(cpu, event, memory));
  return 0;
}

} // namespace ringside::fuzz
