#pragma once
// What the views show at one point of the recorded trace: the result of applying the first
// `applied` events, nothing else. Every field here comes from an event; none is computed from
// architecture knowledge the trace does not carry.
#include "trace/events.h"

#include <array>
#include <cstdint>
#include <vector>

namespace ringside::desktop {

inline constexpr uint64_t kNever = UINT64_MAX;

/// A change of where the guest runs: a ring change, an exception, a VM exit or entry.
struct Transition {
  enum Kind : uint8_t { None, Exit, Entry, Ring, Exception };
  Kind kind = None;
  uint8_t fromCpl = 0, toCpl = 0;
  bool fromRoot = false, toRoot = false; ///< VMX root (the monitor) before and after
  uint16_t code = 0; ///< exit reason, exception or injected vector, or RingCause
  bool injecting = false;
  uint64_t seq = kNever;
  bool nested = false; ///< between a guest-written hypervisor and its nested guest
};

/// A TLB entry the trace has filled and not flushed since (tlb events).
struct TlbLine {
  uint64_t va = 0, pa = 0, pageSize = 0;
  uint16_t vpid = 0;
  uint64_t seq = kNever; ///< the fill, or the last hit
};

/// The VMCS a guest-written hypervisor keeps (vmcs events whose region is not kVmmVmcs).
struct GuestVmcs {
  uint64_t region = 0;                     ///< guest-physical address of the VMCS region
  std::vector<uint64_t> value, changedSeq; ///< in the order of vmcsFieldRows()
};

struct MachineState {
  uint64_t applied = 0;      ///< events applied: the current event is applied - 1
  uint64_t instructions = 0; ///< icount of the current event
  uint8_t cpl = 0;
  bool cplKnown = false; ///< a ring event has said what the CPL is
  bool inRoot = false;   ///< between a VM exit and the next entry: the monitor runs
  uint64_t rip = 0;      ///< the last RIP an event named
  bool ripKnown = false;
  uint64_t cr2 = 0; ///< from the last #PF exception event
  uint64_t exits = 0, entries = 0, exceptions = 0, walks = 0, tlbFills = 0, ioCount = 0;
  std::array<Transition, 4> recent{}; ///< newest first
  uint64_t consoleLength = 0;         ///< bytes of EventStore::consoleText() written so far
  std::array<uint8_t, std::size_t{80} * 25 * 2> vga{}; ///< character, attribute pairs (MMIO writes)
  bool vgaWritten = false;
  /// VMCS fields in the order of vmcsFieldRows(), with the seq that last changed each.
  std::vector<uint64_t> vmcsValue;
  std::vector<uint64_t> vmcsChangedSeq;
  bool vmcsSeen = false;
  uint64_t lastExitSeq = kNever;
  uint64_t lastWalkSeq = kNever; ///< index of the last walk event in the store
  uint64_t lastStopSeq = kNever;
  uint64_t lastVmcsBurstStart = kNever; ///< first vmcs event after the last exit or entry
  uint32_t lastWalkId = 0;
  /// The last walk of the guest's own tables and of the shadow tables (walks that stand alone):
  /// under shadow paging the VMM walks the first to build the second.
  uint64_t lastGuestWalkSeq = kNever, lastShadowWalkSeq = kNever;
  uint64_t walkGroupStart = kNever; ///< first walk event of the last walk's 2-D walk (walk_id)
  /// The TLB as tlb events leave it: the newest fills still present, newest first.
  static constexpr std::size_t kTlbLines = 16;
  std::array<TlbLine, kTlbLines> tlb{};
  uint8_t tlbCount = 0;
  uint64_t tlbHits = 0, tlbMisses = 0, tlbFlushes = 0;
  uint64_t lastTlbSeq = kNever;
  /// Nesting: a guest-written hypervisor (L1) runs its own guest (L2). `nestedSeen` once any
  /// exit or entry event said `nested`; `inNested` while L2 runs.
  bool nestedSeen = false, inNested = false;
  uint64_t nestedExits = 0, nestedEntries = 0;
  uint64_t lastNestedExitSeq = kNever;
  std::vector<GuestVmcs> guestVmcs; ///< in the order their regions first appeared

  MachineState();
  void apply(const Event &event);
  void pushTransition(const Transition &t);
  /// The guest-written VMCS at `region`, or nullptr.
  const GuestVmcs *guestVmcsAt(uint64_t region) const;
};

/// Encodings of the VMCS fields the views list (the HIGH aliases folded into their field).
const std::vector<uint32_t> &vmcsFieldRows();
/// Row of an encoding in vmcsFieldRows() (a HIGH alias maps to its field), or -1.
int vmcsRowOf(uint32_t encoding);

} // namespace ringside::desktop
