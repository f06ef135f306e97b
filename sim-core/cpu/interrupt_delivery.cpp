#include "cpu/interrupt_delivery.h"

#include "arch/exception_vectors.h"
#include "cpu/descriptors.h"
#include "cpu/vector_classes.h"

#include <array>
#include <cstdio>

// The checks follow the INT n/INTO/INT3 pseudo-code of SDM vol. 2 and vol. 3 §6.12–6.14 in
// order, because which fault a broken table raises (and its error code) is what people debug.

namespace ringside {
namespace {

constexpr uint64_t kTF = 1ull << 8, kIF = 1ull << 9, kNT = 1ull << 14, kRF = 1ull << 16,
                   kVM = 1ull << 17, kAC = 1ull << 18;
constexpr uint8_t kTS = 10, kNP = 11, kSS = 12, kGP = 13, kPF = 14;

std::string hex(uint64_t value, int digits) {
  char buffer[24];
  std::snprintf(buffer, sizeof buffer, "%0*llx", digits, static_cast<unsigned long long>(value));
  return buffer;
}

bool isExternal(EventType type) {
  return type == EventType::HardwareException || type == EventType::External;
}

bool isSoftware(EventType type) {
  return type == EventType::SoftwareInterrupt || type == EventType::SoftwareException;
}

bool pushesCode(const PendingEvent &event) {
  return event.type == EventType::HardwareException && event.hasErrorCode &&
         pushesErrorCode(event.vector);
}

/// The RFLAGS value pushed: faults push RF = 1 so IRET does not re-trigger an instruction
/// breakpoint on the faulting instruction (SDM vol. 3 §18.3.1.1).
uint64_t pushedFlags(const CpuSnapshot &cpu, const PendingEvent &event) {
  const bool fault =
      event.type == EventType::HardwareException && vectorDeliveryFacts(event.vector).fault;
  return fault ? cpu.rflags | kRF : cpu.rflags;
}

DeliveryPlan faultPlan(uint8_t vector, bool hasCode, uint32_t code, const std::string &why) {
  DeliveryPlan plan;
  plan.fault = PendingEvent{vector, EventType::HardwareException, hasCode, code};
  plan.explanation = why + " → " + std::string(exceptionName(vector));
  if (hasCode)
    plan.explanation += "(0x" + hex(code, 1) + ")";
  return plan;
}

/// Collects the pushed values with their linear addresses, wrapping the stack pointer at the
/// stack's width (SP or ESP) as the CPU does.
class StackFrame {
public:
  StackFrame(uint64_t base, uint64_t sp, uint64_t spMask, uint64_t linearMask)
      : base_(base), sp_(sp & spMask), spMask_(spMask), linearMask_(linearMask) {}

  void push(uint64_t value, unsigned width) {
    sp_ = (sp_ - width) & spMask_;
    StackWrite write;
    write.linear = (base_ + sp_) & linearMask_;
    for (unsigned i = 0; i < width; ++i)
      write.bytes.push_back(static_cast<uint8_t>(value >> (8 * i)));
    writes_.push_back(std::move(write));
  }
  uint64_t sp() const { return sp_; }
  std::vector<StackWrite> takeWrites() { return std::move(writes_); }

private:
  uint64_t base_, sp_, spMask_, linearMask_;
  std::vector<StackWrite> writes_;
};

/// What every protected/long-mode step needs; reports faults with the EXT bit of this event.
struct Context {
  const CpuSnapshot &cpu;
  const PendingEvent &event;
  const LinearMemory &memory;
  bool ext = false;
  bool ia32e = false;
  uint64_t linearMask = ~0ull;
  std::string where; ///< "IDT[13]"

  DeliveryPlan fault(uint8_t vector, uint32_t code, const std::string &why) const {
    return faultPlan(vector, true, code, where + ": " + why);
  }

  /// Little-endian read of n ≤ 8 bytes. An unbacked table is a #PF on hardware (CR2 = address).
  bool read(uint64_t linear, size_t n, uint64_t &out, DeliveryPlan &plan,
            const std::string &what) const {
    std::array<uint8_t, 8> bytes{};
    linear &= linearMask;
    if (!memory.read(linear, bytes.data(), n)) {
      plan = fault(kPF, 0, what + " at linear 0x" + hex(linear, 1) + " is not mapped");
      return false;
    }
    out = 0;
    for (size_t i = 0; i < n; ++i)
      out |= uint64_t{bytes[i]} << (8 * i);
    return true;
  }

  /// Reads the GDT descriptor `selector` names (null selectors are checked by the caller).
  bool readGdt(uint16_t selector, uint8_t faultVector, const std::string &role,
               SegmentDescriptor &out, DeliveryPlan &plan) const {
    const uint32_t code = selectorErrorCode(selector, ext);
    const std::string name = role + " selector " + hex(selector, 4);
    if (selectorInLdt(selector)) {
      plan = fault(faultVector, code, name + " is in the LDT, which is not supported");
      return false;
    }
    const uint32_t index = selector & 0xFFF8u;
    if (index + 7u > cpu.gdtr.limit) {
      plan =
          fault(faultVector, code, name + " is outside the GDT limit 0x" + hex(cpu.gdtr.limit, 1));
      return false;
    }
    uint64_t raw = 0;
    if (!read(cpu.gdtr.base + index, 8, raw, plan, "GDT entry of " + name))
      return false;
    out = decodeSegmentDescriptor(raw);
    return true;
  }
};

DeliveryPlan deliverReal(const CpuSnapshot &cpu, const PendingEvent &event,
                         const LinearMemory &memory) {
  const std::string where = "IVT[0x" + hex(event.vector, 2) + "]";
  const uint32_t entry = uint32_t{event.vector} * 4;
  if (entry + 3 > cpu.idtr.limit)
    return faultPlan(kGP, false, 0, where + " is beyond the IVT limit 0x" + hex(cpu.idtr.limit, 1));
  std::array<uint8_t, 4> raw{};
  if (!memory.read(cpu.idtr.base + entry, raw.data(), raw.size()))
    return faultPlan(kGP, false, 0,
                     where + " at linear 0x" + hex(cpu.idtr.base + entry, 1) + " is not mapped");
  const uint16_t offset = static_cast<uint16_t>(raw[0] | raw[1] << 8);
  const uint16_t segment = static_cast<uint16_t>(raw[2] | raw[3] << 8);

  StackFrame frame(cpu.ssBase, cpu.rsp, 0xFFFF, ~0ull);
  frame.push(cpu.rflags, 2);
  frame.push(cpu.cs, 2);
  frame.push(cpu.rip, 2);

  DeliveryPlan plan;
  plan.ok = true;
  plan.newCs = segment;
  plan.newCpl = 0;
  plan.newSs = cpu.ss;
  plan.newRip = offset;
  plan.newRsp = (cpu.rsp & ~0xFFFFull) | frame.sp();
  plan.newRflags = cpu.rflags & ~(kIF | kTF | kAC);
  plan.writes = frame.takeWrites();
  plan.explanation = where + " → " + hex(segment, 4) + ":" + hex(offset, 4) +
                     ", FLAGS, CS, IP pushed at " + hex(cpu.ss, 4) + ":" + hex(frame.sp(), 4);
  return plan;
}

/// Reads and checks the IDT gate (SDM order: limit, type, DPL for software events, present).
bool loadGate(const Context &c, GateDescriptor &gate, const GateTypeInfo *&info,
              DeliveryPlan &plan) {
  const uint8_t vector = c.event.vector;
  const uint32_t size = c.ia32e ? 16 : 8;
  const uint32_t idtCode = idtErrorCode(vector, c.ext);
  if (uint64_t{vector} * size + size - 1 > c.cpu.idtr.limit) {
    plan = c.fault(kGP, idtCode, "beyond the IDT limit 0x" + hex(c.cpu.idtr.limit, 1));
    return false;
  }
  const uint64_t address = c.cpu.idtr.base + uint64_t{vector} * size;
  uint64_t low = 0, high = 0;
  if (!c.read(address, 8, low, plan, "the gate") ||
      (c.ia32e && !c.read(address + 8, 8, high, plan, "the gate")))
    return false;
  gate = decodeGate(low, high);
  info = gate.system ? findGateType(gate.type, c.ia32e) : nullptr;
  if (info == nullptr) {
    plan = c.fault(
        kGP, idtCode,
        "type 0x" + hex(gate.type, 1) + " is not " +
            (c.ia32e ? "a 64-bit interrupt or trap gate" : "an interrupt, trap or task gate"));
    return false;
  }
  if (isSoftware(c.event.type) && gate.dpl < c.cpu.cpl) {
    plan = c.fault(kGP, idtErrorCode(vector, false),
                   "software interrupt from CPL " + std::to_string(c.cpu.cpl) + " through a DPL " +
                       std::to_string(gate.dpl) + " gate");
    return false;
  }
  if (!gate.present) {
    plan = c.fault(kNP, idtCode, std::string(info->name) + " not present");
    return false;
  }
  if (info->kind == GateKind::Task) {
    plan = c.fault(kGP, idtCode, "task gates are not supported");
    return false;
  }
  return true;
}

/// Reads and checks the gate's target code segment.
bool loadTargetCode(const Context &c, const GateDescriptor &gate, SegmentDescriptor &code,
                    DeliveryPlan &plan) {
  const uint32_t selCode = selectorErrorCode(gate.selector, c.ext);
  const std::string name = "target CS " + hex(gate.selector, 4);
  if (isNullSelector(gate.selector)) {
    plan = c.fault(kGP, c.ext ? 1 : 0, "target CS is a null selector");
    return false;
  }
  if (!c.readGdt(gate.selector, kGP, "target CS", code, plan))
    return false;
  if (!code.isCode() || code.dpl > c.cpu.cpl) {
    plan = c.fault(kGP, selCode,
                   code.isCode() ? name + " has DPL " + std::to_string(code.dpl) + " > CPL " +
                                       std::to_string(c.cpu.cpl)
                                 : name + " is not a code segment");
    return false;
  }
  if (!code.present) {
    plan = c.fault(kNP, selCode, name + " not present");
    return false;
  }
  if (c.ia32e && !code.is64BitCode()) {
    plan = c.fault(kGP, selCode, name + " is not a 64-bit code segment (L=1, D=0)");
    return false;
  }
  return true;
}

/// Reads and checks the inner stack segment named by the TSS (legacy inter-privilege case).
bool loadInnerStack(const Context &c, uint16_t ss, uint8_t newCpl, SegmentDescriptor &stack,
                    DeliveryPlan &plan) {
  const uint32_t ssCode = selectorErrorCode(ss, c.ext);
  const std::string name = "TSS SS" + std::to_string(newCpl) + " " + hex(ss, 4);
  if (isNullSelector(ss)) {
    plan = c.fault(kTS, c.ext ? 1 : 0, name + " is a null selector");
    return false;
  }
  const std::string rule =
      " must be a writable data segment with RPL = DPL = " + std::to_string(newCpl);
  if ((ss & 3u) != newCpl) {
    plan = c.fault(kTS, ssCode, name + rule);
    return false;
  }
  if (!c.readGdt(ss, kTS, "TSS SS" + std::to_string(newCpl), stack, plan))
    return false;
  if (stack.dpl != newCpl || !stack.isWritableData()) {
    plan = c.fault(kTS, ssCode, name + rule);
    return false;
  }
  if (!stack.present) {
    plan = c.fault(kSS, ssCode, name + " not present");
    return false;
  }
  return true;
}

std::string targetText(const GateDescriptor &gate, uint8_t newCpl, uint64_t rip, int digits) {
  return hex((gate.selector & 0xFFFCu) | newCpl, 4) + ":" + hex(rip, digits);
}

std::string cplText(uint8_t from, uint8_t to) {
  return from == to ? "CPL " + std::to_string(to)
                    : "CPL " + std::to_string(from) + "→" + std::to_string(to);
}

void finishPlan(const Context &c, const GateDescriptor &gate, const GateTypeInfo &info,
                uint8_t newCpl, uint64_t rip, DeliveryPlan &plan) {
  plan.ok = true;
  plan.newCpl = newCpl;
  plan.newCs = static_cast<uint16_t>((gate.selector & 0xFFFCu) | newCpl);
  plan.newRip = rip;
  uint64_t cleared = kTF | kNT | kRF | kVM;
  if (info.kind == GateKind::Interrupt)
    cleared |= kIF;
  plan.newRflags = c.cpu.rflags & ~cleared;
  if (pushesCode(c.event))
    plan.explanation += ", error code 0x" + hex(c.event.errorCode, 1);
}

DeliveryPlan deliverLegacy(const Context &c, const GateDescriptor &gate, const GateTypeInfo &info,
                           const SegmentDescriptor &code) {
  const CpuSnapshot &cpu = c.cpu;
  const bool inner = !code.isConforming() && code.dpl < cpu.cpl;
  const uint8_t newCpl = inner ? code.dpl : cpu.cpl;
  const unsigned width = info.pushWidth;
  const bool withCode = pushesCode(c.event);
  const uint64_t rip = gate.offset & (width == 2 ? 0xFFFFu : 0xFFFFFFFFu);

  DeliveryPlan plan;
  uint64_t base = cpu.ssBase, sp = cpu.rsp & 0xFFFFFFFFu;
  uint64_t spMask = cpu.ss32 ? 0xFFFFFFFFu : 0xFFFFu;
  uint16_t ss = cpu.ss;
  if (inner) {
    const uint32_t offset = tss32EspOffset(newCpl);
    if (offset + 5 > cpu.trLimit)
      return c.fault(kTS, selectorErrorCode(cpu.tr, c.ext),
                     "TSS limit 0x" + hex(cpu.trLimit, 1) + " too small for SS" +
                         std::to_string(newCpl) + ":ESP" + std::to_string(newCpl));
    uint64_t esp = 0, rawSs = 0;
    if (!c.read(cpu.trBase + offset, 4, esp, plan, "TSS ESP" + std::to_string(newCpl)) ||
        !c.read(cpu.trBase + offset + 4, 2, rawSs, plan, "TSS SS" + std::to_string(newCpl)))
      return plan;
    ss = static_cast<uint16_t>(rawSs);
    SegmentDescriptor stack;
    if (!loadInnerStack(c, ss, newCpl, stack, plan))
      return plan;
    spMask = stack.defaultBig ? 0xFFFFFFFFu : 0xFFFFu;
    const unsigned pushes = 5 + (withCode ? 1 : 0);
    for (unsigned i = 1; i <= pushes; ++i)
      if (!segmentCovers(stack, static_cast<uint32_t>((esp - uint64_t{i} * width) & spMask), width))
        return c.fault(kSS, selectorErrorCode(ss, c.ext),
                       "no room for the frame below " + hex(ss, 4) + ":" + hex(esp, 8));
    base = stack.base;
    sp = esp;
    plan.stackSwitch = true;
  }
  if (!segmentCovers(code, static_cast<uint32_t>(rip), 1))
    return c.fault(kGP, c.ext ? 1 : 0, "entry point 0x" + hex(rip, 1) + " beyond the CS limit");

  StackFrame frame(base, sp, spMask, c.linearMask);
  if (inner) {
    frame.push(cpu.ss, width);
    frame.push(cpu.rsp, width);
  }
  frame.push(pushedFlags(cpu, c.event), width);
  frame.push(cpu.cs, width);
  frame.push(cpu.rip, width);
  if (withCode)
    frame.push(c.event.errorCode, width);

  plan.newSs = ss;
  plan.newRsp = (sp & ~spMask) | frame.sp();
  plan.writes = frame.takeWrites();
  plan.explanation =
      c.where + ": " + info.name + " → " + targetText(gate, newCpl, rip, width == 2 ? 4 : 8) +
      ", " + cplText(cpu.cpl, newCpl) + ", " + (inner ? "stack from TSS (" : "same stack (") +
      hex(ss, 4) + ":" + hex(sp, 8) + ")";
  finishPlan(c, gate, info, newCpl, rip, plan);
  return plan;
}

DeliveryPlan deliverLong(const Context &c, const GateDescriptor &gate, const GateTypeInfo &info,
                         const SegmentDescriptor &code) {
  const CpuSnapshot &cpu = c.cpu;
  const bool inner = !code.isConforming() && code.dpl < cpu.cpl;
  const uint8_t newCpl = inner ? code.dpl : cpu.cpl;

  DeliveryPlan plan;
  uint64_t rsp = cpu.rsp;
  std::string source = "same stack";
  if (inner || gate.ist != 0) {
    const uint32_t offset = gate.ist != 0 ? tss64IstOffset(gate.ist) : tss64RspOffset(newCpl);
    const std::string field =
        gate.ist != 0 ? "IST" + std::to_string(gate.ist) : "RSP" + std::to_string(newCpl);
    if (offset + 7 > cpu.trLimit)
      return c.fault(kTS, selectorErrorCode(cpu.tr, c.ext),
                     "TSS limit 0x" + hex(cpu.trLimit, 1) + " too small for " + field);
    if (!c.read(cpu.trBase + offset, 8, rsp, plan, "TSS " + field))
      return plan;
    plan.stackSwitch = true;
    source = "stack from TSS " + field;
  }
  // A privilege change loads a null SS whose RPL is the new CPL (SDM §6.14.4).
  plan.newSs = inner ? newCpl : cpu.ss;
  if (!isCanonical(rsp))
    return c.fault(kSS, c.ext ? 1 : 0, "new RSP 0x" + hex(rsp, 16) + " is not canonical");
  if (!isCanonical(gate.offset))
    return c.fault(kGP, c.ext ? 1 : 0,
                   "entry point 0x" + hex(gate.offset, 16) + " is not canonical");

  // The frame is 16-byte aligned so handlers can rely on SSE alignment (SDM §6.14.2).
  StackFrame frame(0, rsp & ~0xFull, ~0ull, ~0ull);
  frame.push(cpu.ss, 8);
  frame.push(cpu.rsp, 8);
  frame.push(pushedFlags(cpu, c.event), 8);
  frame.push(cpu.cs, 8);
  frame.push(cpu.rip, 8);
  if (pushesCode(c.event))
    frame.push(c.event.errorCode, 8);

  plan.newRsp = frame.sp();
  plan.writes = frame.takeWrites();
  plan.explanation = c.where + ": " + info.name + " → " +
                     targetText(gate, newCpl, gate.offset, 16) + ", " + cplText(cpu.cpl, newCpl) +
                     ", " + source + " (" + hex(plan.newSs, 4) + ":" + hex(rsp, 16) + ")";
  finishPlan(c, gate, info, newCpl, gate.offset, plan);
  return plan;
}

DeliveryPlan deliverProtected(const CpuSnapshot &cpu, const PendingEvent &event,
                              const LinearMemory &memory) {
  const bool ia32e = cpu.mode == CpuMode::Long;
  const Context c{cpu,
                  event,
                  memory,
                  isExternal(event.type),
                  ia32e,
                  ia32e ? ~0ull : 0xFFFFFFFFull,
                  "IDT[" + std::to_string(event.vector) + "]"};
  if (!c.ia32e && (cpu.rflags & kVM) != 0)
    return c.fault(kGP, 0, "virtual-8086 mode is not supported");

  DeliveryPlan plan;
  GateDescriptor gate;
  const GateTypeInfo *info = nullptr;
  SegmentDescriptor code;
  if (!loadGate(c, gate, info, plan) || !loadTargetCode(c, gate, code, plan))
    return plan;
  return c.ia32e ? deliverLong(c, gate, *info, code) : deliverLegacy(c, gate, *info, code);
}

} // namespace

DeliveryPlan planDelivery(const CpuSnapshot &cpu, const PendingEvent &event,
                          const LinearMemory &memory) {
  if (cpu.mode == CpuMode::Real)
    return deliverReal(cpu, event, memory);
  return deliverProtected(cpu, event, memory);
}

} // namespace ringside
