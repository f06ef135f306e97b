#pragma once
// A synthetic trace for the benchmark and tests: the shape of a real run (a guest in ring 3
// making system calls and port writes under a monitor that exits, updates VMCS fields, walks
// tables and re-enters), repeated to any length. Deterministic for a given count.
#include "trace/events.h"

#include <cstddef>
#include <vector>

namespace ringside::desktop {

std::vector<Event> makeSyntheticTrace(std::size_t count);

} // namespace ringside::desktop
