#pragma once
// Every fuzz target by name: the libFuzzer entry points and the regression replay share this.
#include "fuzz_elf_image.h"
#include "fuzz_emu_guest.h"
#include "fuzz_ept_walker.h"
#include "fuzz_interrupt_delivery.h"
#include "fuzz_kernel_trace.h"
#include "fuzz_page_walker.h"
#include "fuzz_snapshot_file.h"
#include "fuzz_trace_json.h"
#include "fuzz_vmcs.h"

#include <array>

namespace ringside::fuzz {

struct Target {
  const char *name; ///< executable and corpus directory name
  int (*run)(const uint8_t *data, size_t size);
};

inline constexpr std::array kTargets{
    Target{"fuzz_elf_image", fuzzElfImage},
    Target{"fuzz_trace_json", fuzzTraceJson},
    Target{"fuzz_page_walker", fuzzPageWalker},
    Target{"fuzz_interrupt_delivery", fuzzInterruptDelivery},
    Target{"fuzz_kernel_trace", fuzzKernelTrace},
    Target{"fuzz_emu_guest", fuzzEmuGuest},
    Target{"fuzz_vmcs", fuzzVmcs},
    Target{"fuzz_ept_walker", fuzzEptWalker},
    Target{"fuzz_snapshot_file", fuzzSnapshotFile},
};

} // namespace ringside::fuzz
