#pragma once
// Which timeline lane each kind of event belongs to, and its colour: one table, read by the
// timeline, the legend and the tests.
#include "trace/events.h"

#include <array>
#include <cstdint>

namespace ringside::desktop {

enum class Lane : uint8_t { Guest, Vmm, Devices };
inline constexpr std::size_t kLaneCount = 3;

struct KindStyle {
  const char *kind; ///< the trace's "kind" string
  Lane lane;
  uint32_t rgb; ///< 0xRRGGBB, readable on light and dark backgrounds
};

/// Indexed by EventBody::index().
inline constexpr std::array<KindStyle, std::variant_size_v<EventBody>> kKindStyles = {{
    {"exit", Lane::Vmm, 0xE0483E},
    {"entry", Lane::Vmm, 0x2E9E5B},
    {"exception", Lane::Guest, 0xE8A317},
    {"ring", Lane::Guest, 0x8E5BD8},
    {"io", Lane::Devices, 0x3C8DDE},
    {"mmio", Lane::Devices, 0x1FB5B5},
    {"hypercall", Lane::Guest, 0xD9589E},
    {"walk", Lane::Vmm, 0x8A9A2B},
    {"tlb", Lane::Vmm, 0x9C7A54},
    {"console", Lane::Devices, 0x5577AA},
    {"vmcs", Lane::Vmm, 0x999999},
    {"stop", Lane::Devices, 0x222222},
    {"vmx", Lane::Guest, 0xC0392B},
    {"container", Lane::Guest, 0x16A085}, // a container's syscalls and limits (no VM at all)
}};

inline const KindStyle &kindStyle(const Event &event) { return kKindStyles[event.body.index()]; }
inline Lane laneOf(const Event &event) { return kindStyle(event).lane; }

} // namespace ringside::desktop
