#include "core/machine_state.h"

#include "platform/layout.h"
#include "vmx/vmcs_fields.h"

#include <unordered_map>

namespace ringside::desktop {

const std::vector<uint32_t> &vmcsFieldRows() {
  static const std::vector<uint32_t> rows = [] {
    std::vector<uint32_t> r;
    for (const auto &f : vmcsFields())
      if (!f.high)
        r.push_back(f.encoding);
    return r;
  }();
  return rows;
}

int vmcsRowOf(uint32_t encoding) {
  static const std::unordered_map<uint32_t, int> index = [] {
    std::unordered_map<uint32_t, int> m;
    const auto &rows = vmcsFieldRows();
    for (std::size_t i = 0; i < rows.size(); ++i)
      m[rows[i]] = static_cast<int>(i);
    return m;
  }();
  auto it = index.find(encoding);
  if (it == index.end() && (encoding & 1))
    it = index.find(encoding & ~1u);
  return it == index.end() ? -1 : it->second;
}

MachineState::MachineState()
    : vmcsValue(vmcsFieldRows().size(), 0), vmcsChangedSeq(vmcsFieldRows().size(), kNever) {}

void MachineState::pushTransition(const Transition &t) {
  for (std::size_t i = recent.size() - 1; i > 0; --i)
    recent[i] = recent[i - 1];
  recent[0] = t;
}

namespace {

struct Applier {
  MachineState &s;
  uint64_t seq;

  void setRip(uint64_t rip) {
    s.rip = rip;
    s.ripKnown = true;
  }
  void operator()(const ExitEvent &e) {
    Transition t{Transition::Exit, s.cpl, s.cpl, false, true, e.reason, false, seq};
    s.pushTransition(t);
    s.inRoot = true;
    ++s.exits;
    s.lastExitSeq = seq;
    s.lastVmcsBurstStart = kNever;
    setRip(e.rip);
  }
  void operator()(const EntryEvent &e) {
    Transition t{Transition::Entry, s.cpl, s.cpl, true, false, e.vector, e.injecting, seq};
    s.pushTransition(t);
    s.inRoot = false;
    ++s.entries;
    s.lastVmcsBurstStart = kNever;
    setRip(e.rip);
  }
  void operator()(const ExceptionEvent &e) {
    Transition t{Transition::Exception, s.cpl, s.cpl, s.inRoot, s.inRoot, e.vector, false, seq};
    s.pushTransition(t);
    ++s.exceptions;
    if (e.vector == 14)
      s.cr2 = e.cr2;
    setRip(e.rip);
  }
  void operator()(const RingEvent &e) {
    if (e.cause != RingCause::Start) {
      Transition t{Transition::Ring,
                   e.from,
                   e.to,
                   s.inRoot,
                   s.inRoot,
                   static_cast<uint16_t>(e.cause),
                   false,
                   seq};
      s.pushTransition(t);
    }
    s.cpl = e.to;
    s.cplKnown = true;
    setRip(e.rip);
  }
  void operator()(const IoEvent &e) {
    ++s.ioCount;
    setRip(e.rip);
  }
  void operator()(const MmioEvent &e) {
    using namespace layout;
    const uint64_t vgaBytes = s.vga.size();
    if (!e.write || e.gpa + e.size <= kVgaBase || e.gpa >= kVgaBase + vgaBytes)
      return;
    for (unsigned i = 0; i < e.size && i < 8; ++i) {
      const uint64_t at = e.gpa + i;
      if (at >= kVgaBase && at < kVgaBase + vgaBytes)
        s.vga[at - kVgaBase] = static_cast<uint8_t>(e.value >> (8 * i));
    }
    s.vgaWritten = true;
  }
  void operator()(const HypercallEvent &e) { setRip(e.rip); }
  void operator()(const WalkEvent &) {
    ++s.walks;
    s.lastWalkSeq = seq;
  }
  void operator()(const TlbEvent &e) {
    if (e.op == TlbOp::Fill)
      ++s.tlbFills;
  }
  void operator()(const ConsoleEvent &e) { s.consoleLength += e.text.size(); }
  void operator()(const VmcsEvent &e) {
    if (e.region != kVmmVmcs)
      return; // a guest-written hypervisor's VMCS, not the one this view shows
    const int row = vmcsRowOf(e.encoding);
    if (row < 0)
      return;
    auto &value = s.vmcsValue[static_cast<std::size_t>(row)];
    if (e.encoding & 1 && vmcsFieldRows()[static_cast<std::size_t>(row)] != e.encoding)
      value = (value & 0xFFFFFFFFu) | (e.newValue << 32); // a HIGH alias: bits 63:32
    else
      value = e.newValue;
    s.vmcsChangedSeq[static_cast<std::size_t>(row)] = seq;
    s.vmcsSeen = true;
    if (s.lastVmcsBurstStart == kNever)
      s.lastVmcsBurstStart = seq;
  }
  void operator()(const StopEvent &) { s.lastStopSeq = seq; }
  void operator()(const VmxInsnEvent &e) { setRip(e.rip); }
  void operator()(const ContainerEvent &) {} // no guest machine: a process on the host kernel
  void operator()(const TrapEvent &e) { setRip(e.rip); }
  void operator()(const LeakEvent &e) { setRip(e.rip); }
  void operator()(const TranslateEvent &) {}
};

} // namespace

void MachineState::apply(const Event &event) {
  std::visit(Applier{*this, applied}, event.body);
  instructions = event.instructions;
  ++applied;
}

} // namespace ringside::desktop
