#pragma once
// Interrupt and exception delivery through the guest's IVT (real mode) or IDT (protected and
// long mode), as the Intel SDM vol. 3 ch. 6 describes it. Pure architecture: it plans what the
// CPU does (stack pushes, new CS:RIP, CPL and stack switch) and the backend applies the plan.
// Unicorn never delivers events itself, so the emu backend depends on this being exact.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringside {

enum class CpuMode : uint8_t { Real, Protected, Long }; ///< Long = IA-32e (64-bit or compat)

/// Guest-linear memory for descriptor-table reads (supervisor, implicit accesses).
class LinearMemory {
public:
  virtual ~LinearMemory() = default;
  /// false when the address does not translate or is not backed.
  virtual bool read(uint64_t linear, void *dst, size_t n) const = 0;
};

struct TableRegister {
  uint64_t base = 0;
  uint32_t limit = 0;
};

/// The CPU state delivery depends on.
struct CpuSnapshot {
  CpuMode mode = CpuMode::Real;
  uint8_t cpl = 0;
  uint64_t rip = 0; ///< return address to push (faulting or next instruction)
  uint64_t rsp = 0;
  uint64_t rflags = 0;
  uint16_t cs = 0, ss = 0;
  uint64_t ssBase = 0; ///< SS base (real mode and 32-bit protected mode stacks)
  bool ss32 = true;    ///< SS.B: 32-bit stack pointer in protected mode
  TableRegister gdtr, idtr;
  uint16_t tr = 0;
  uint64_t trBase = 0;
  uint32_t trLimit = 0;
};

enum class EventType : uint8_t {
  HardwareException, ///< a fault or trap raised by an instruction (#GP, #PF, #DE …)
  SoftwareInterrupt, ///< INT n: gate DPL is checked against CPL
  SoftwareException, ///< INT3 / INTO: gate DPL is checked against CPL
  External,          ///< an external interrupt
};

struct PendingEvent {
  uint8_t vector = 0;
  EventType type = EventType::HardwareException;
  bool hasErrorCode = false;
  uint32_t errorCode = 0;
};

/// A write to guest-linear memory the delivery makes (the pushed frame).
struct StackWrite {
  uint64_t linear = 0;
  std::vector<uint8_t> bytes;
};

struct DeliveryPlan {
  bool ok = false;
  /// When !ok: the fault that delivering raised instead (#GP, #NP, #SS, #TS with its error
  /// code); the caller turns it into #DF or, during #DF, a triple fault (SDM table 6-5).
  PendingEvent fault;
  std::string explanation; ///< one line for people: which gate, why a fault

  uint16_t newCs = 0;
  uint8_t newCpl = 0;
  bool stackSwitch = false; ///< privilege change (or IST): SS:RSP come from the TSS
  uint16_t newSs = 0;       ///< valid when stackSwitch
  uint64_t newRsp = 0;
  uint64_t newRip = 0;
  uint64_t newRflags = 0;
  std::vector<StackWrite> writes; ///< in the order the CPU pushes
};

/// Plans delivery of `event` in `cpu`'s state, reading the IVT/IDT, GDT and TSS through
/// `memory`. Never throws; a malformed table gives a fault plan.
DeliveryPlan planDelivery(const CpuSnapshot &cpu, const PendingEvent &event,
                          const LinearMemory &memory);

/// SDM table 6-4/6-5: does `second` during delivery of `first` give a double fault?
bool causesDoubleFault(uint8_t first, uint8_t second);

/// Vectors that push an error code (8, 10–14, 17, 21, 29, 30) in protected/long mode.
bool pushesErrorCode(uint8_t vector);

} // namespace ringside
