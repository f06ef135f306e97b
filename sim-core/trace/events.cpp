#include "trace/events.h"

#include <array>
#include <cstddef>

namespace ringside {
namespace {

// Indexed by EventBody::index(): the order of the variant's alternatives.
constexpr std::array<const char *, 17> kEventKinds = {
    "exit",    "entry", "exception", "ring", "io",        "mmio", "hypercall", "walk",     "tlb",
    "console", "vmcs",  "stop",      "vmx",  "container", "trap", "leak",      "translate"};
static_assert(kEventKinds.size() == std::variant_size_v<EventBody>,
              "every event kind needs a JSON name");

// Each table is indexed by the enum's value, in declaration order.
constexpr std::array kStopKinds = {"hlt", "exit-port", "shutdown", "budget", "timeout", "error"};
constexpr std::array kRingCauses = {"start", "interrupt", "iret", "far-transfer"};
constexpr std::array kWalkModes = {"bits32", "pae", "long4", "ept"};
constexpr std::array kWalkPurposes = {"guest-tables", "shadow", "ept"};
constexpr std::array kTlbOps = {"fill", "flush-page", "flush-all", "hit", "miss", "flush-vpid"};
constexpr std::array kTlbCauses = {"none",   "mov-cr3", "invlpg",        "vm-transition",
                                   "invept", "invvpid", "paging-change", "vmm"};
static_assert(kTlbCauses.size() == size_t(TlbCause::Vmm) + 1, "one name per TlbCause");
constexpr std::array kEventSources = {"model", "kvm-run", "kernel-trace", "kvm-translate",
                                      "single-step"};

// "?" for a value past the table, so a corrupt enum never reads out of bounds (and so
// parsers can find the end of a table without knowing its size).
template <typename Enum, size_t N>
const char *lookup(const std::array<const char *, N> &table, Enum value) {
  auto i = static_cast<size_t>(value);
  return i < N ? table[i] : "?";
}

} // namespace

const char *eventKindName(const EventBody &body) { return lookup(kEventKinds, body.index()); }
const char *stopKindName(StopKind kind) { return lookup(kStopKinds, kind); }
const char *ringCauseName(RingCause cause) { return lookup(kRingCauses, cause); }
const char *walkModeName(WalkMode mode) { return lookup(kWalkModes, mode); }
const char *walkPurposeName(WalkPurpose purpose) { return lookup(kWalkPurposes, purpose); }
const char *tlbOpName(TlbOp op) { return lookup(kTlbOps, op); }
const char *tlbCauseName(TlbCause cause) { return lookup(kTlbCauses, cause); }
const char *eventSourceName(EventSource source) { return lookup(kEventSources, source); }

} // namespace ringside
