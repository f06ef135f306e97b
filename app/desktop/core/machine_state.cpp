#include "core/machine_state.h"

#include "platform/layout.h"
#include "vmx/vmcs_fields.h"

#include <algorithm>
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
    Transition t{Transition::Exit, s.cpl, s.cpl, false, true, e.reason, false, seq, e.nested};
    s.pushTransition(t);
    if (e.nested) { // L2 left for its hypervisor, which Ringside's VMM runs as its guest
      s.nestedSeen = true;
      s.inNested = false;
      ++s.nestedExits;
      s.lastNestedExitSeq = seq;
      s.recent[0].toRoot = false;
      setRip(e.rip);
      return; // the guest's own hypervisor runs: still in the guest, under Ringside's VMM
    }
    s.inRoot = true;
    ++s.exits;
    s.lastExitSeq = seq;
    s.lastVmcsBurstStart = kNever;
    setRip(e.rip);
  }
  void operator()(const EntryEvent &e) {
    Transition t{Transition::Entry, s.cpl,       s.cpl, true,    false,
                 e.vector,          e.injecting, seq,   e.nested};
    s.pushTransition(t);
    if (e.nested) {
      s.nestedSeen = true;
      s.inNested = true;
      ++s.nestedEntries;
      s.recent[0].fromRoot = false;
      setRip(e.rip);
      return;
    }
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
  void operator()(const WalkEvent &e) {
    ++s.walks;
    const bool sameGroup = e.walkId != 0 && s.lastWalkSeq != kNever && s.lastWalkId == e.walkId;
    if (!sameGroup)
      s.walkGroupStart = seq;
    s.lastWalkSeq = seq;
    s.lastWalkId = e.walkId;
    if (e.walkId == 0 && e.purpose == WalkPurpose::GuestTables)
      s.lastGuestWalkSeq = seq;
    else if (e.purpose == WalkPurpose::Shadow)
      s.lastShadowWalkSeq = seq;
  }
  void dropTlb(auto &&gone) {
    uint8_t kept = 0;
    for (uint8_t i = 0; i < s.tlbCount; ++i)
      if (!gone(s.tlb[i]))
        s.tlb[kept++] = s.tlb[i];
    s.tlbCount = kept;
  }
  static bool covers(const TlbLine &l, uint64_t va) {
    const uint64_t size = l.pageSize ? l.pageSize : 4096;
    return va >= l.va && va - l.va < size;
  }
  void operator()(const TlbEvent &e) {
    s.lastTlbSeq = seq;
    switch (e.op) {
    case TlbOp::Fill: {
      ++s.tlbFills;
      dropTlb([&](const TlbLine &l) { return l.vpid == e.vpid && covers(l, e.va); });
      const uint8_t n = std::min<uint8_t>(s.tlbCount, MachineState::kTlbLines - 1);
      for (uint8_t i = n; i > 0; --i) // newest first; the oldest falls off the end
        s.tlb[i] = s.tlb[i - 1];
      s.tlb[0] = TlbLine{e.va, e.pa, e.pageSize, e.vpid, seq};
      s.tlbCount = static_cast<uint8_t>(n + 1);
      break;
    }
    case TlbOp::Hit:
      ++s.tlbHits;
      for (uint8_t i = 0; i < s.tlbCount; ++i)
        if (s.tlb[i].vpid == e.vpid && covers(s.tlb[i], e.va))
          s.tlb[i].seq = seq;
      break;
    case TlbOp::Miss:
      ++s.tlbMisses;
      break;
    case TlbOp::FlushPage:
      ++s.tlbFlushes;
      dropTlb([&](const TlbLine &l) { return covers(l, e.va); });
      break;
    case TlbOp::FlushVpid:
      ++s.tlbFlushes;
      dropTlb([&](const TlbLine &l) { return l.vpid == e.vpid; });
      break;
    case TlbOp::FlushAll:
      ++s.tlbFlushes;
      s.tlbCount = 0;
      break;
    }
  }
  void operator()(const ConsoleEvent &e) { s.consoleLength += e.text.size(); }
  void operator()(const VmcsEvent &e) {
    const int row = vmcsRowOf(e.encoding);
    if (row < 0)
      return;
    if (e.region != kVmmVmcs) { // a guest-written hypervisor's VMCS
      guestVmcs(e.region, static_cast<std::size_t>(row), e);
      return;
    }
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
  void guestVmcs(uint64_t region, std::size_t row, const VmcsEvent &e) {
    auto it = std::find_if(s.guestVmcs.begin(), s.guestVmcs.end(),
                           [&](const GuestVmcs &g) { return g.region == region; });
    if (it == s.guestVmcs.end()) {
      s.guestVmcs.push_back(GuestVmcs{region, std::vector<uint64_t>(vmcsFieldRows().size(), 0),
                                      std::vector<uint64_t>(vmcsFieldRows().size(), kNever)});
      it = std::prev(s.guestVmcs.end());
    }
    auto &value = it->value[row];
    if (e.encoding & 1 && vmcsFieldRows()[row] != e.encoding)
      value = (value & 0xFFFFFFFFu) | (e.newValue << 32);
    else
      value = e.newValue;
    it->changedSeq[row] = seq;
  }
  void operator()(const StopEvent &) { s.lastStopSeq = seq; }
  void operator()(const VmxInsnEvent &e) { setRip(e.rip); }
  void operator()(const ContainerEvent &) {} // no guest machine: a process on the host kernel
  void operator()(const TrapEvent &e) { setRip(e.rip); }
  void operator()(const LeakEvent &e) { setRip(e.rip); }
  void operator()(const TranslateEvent &) {}
  /// Event kinds no view draws yet (the trace format grows): they only move the cursor.
  template <class Other> void operator()(const Other &) {}
};

} // namespace

const GuestVmcs *MachineState::guestVmcsAt(uint64_t region) const {
  for (const auto &g : guestVmcs)
    if (g.region == region)
      return &g;
  return nullptr;
}

void MachineState::apply(const Event &event) {
  std::visit(Applier{*this, applied}, event.body);
  instructions = event.instructions;
  ++applied;
}

} // namespace ringside::desktop
