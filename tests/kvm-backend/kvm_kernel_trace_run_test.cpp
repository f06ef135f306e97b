// --kernel-trace on the KVM backend: the kernel's tracepoints, recorded around KVM_RUN and
// appended to the run's trace before the stop event.
#include "kernel_trace_session.h"
#include "kvm_guest_run.h"

#include <gtest/gtest.h>

namespace ringside::test {
namespace {

// Long mode, CPL0, touching memory on a few pages: on PVM every emulated access is a guest walk.
const char *kTouchGuest = R"(; ringside: entry=long load=0x10000
bits 64
org 0x10000
        mov rdi, 0x300000
        mov ecx, 4
.loop:  mov qword [rdi], rcx
        add rdi, 0x1000
        dec ecx
        jnz .loop
        mov al, 'k'
        out 0xE9, al
        hlt
)";

TEST(KvmKernelTraceRunTest, KernelEventsComeBeforeTheStopEvent) {
  RINGSIDE_REQUIRE_KVM();
  if (auto probe = kvm::probeTracefs(false); !probe.usable())
    GTEST_SKIP() << probe.message;
  RunConfig config;
  config.kernelTrace = true;
  auto backend = kvm::createKvmBackend();
  const auto path = writeFile(scratchDir("kvm_ktrace_run") / "guest.asm", kTouchGuest);
  backend->load(loadGuestImage(path.string(), {}), config);
  const RunResult result = backend->run();
  ASSERT_EQ(result.stop.kind, StopKind::Hlt) << result.stop.message;
  const auto &events = backend->trace().events();
  ASSERT_TRUE(std::holds_alternative<StopEvent>(events.back().body));

  // The kernel's events form one block right before the stop event.
  size_t firstKernel = events.size(), kernelWalks = 0, kernelEvents = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    EventSource source = EventSource::Model;
    std::visit(
        [&](const auto &body) {
          if constexpr (requires { body.source; })
            source = body.source;
        },
        events[i].body);
    if (source != EventSource::KernelTrace)
      continue;
    firstKernel = std::min(firstKernel, i);
    ++kernelEvents;
    if (const auto *w = std::get_if<WalkEvent>(&events[i].body)) {
      ++kernelWalks;
      EXPECT_EQ(w->mode, WalkMode::Long4);
    }
  }
  EXPECT_EQ(backend->debugCounters()["kernel_trace_events"], kernelEvents);
  if (kernelEvents) {
    EXPECT_EQ(firstKernel + kernelEvents + 1, events.size()) << "kernel events not contiguous";
  }
  EXPECT_TRUE(backend->unobservable().empty() ||
              backend->unobservable().back().kind != "kernel tracepoints");
  if (kvm::probeHost().flavour == kvm::Flavour::Pvm) {
    EXPECT_GE(kernelWalks, 4u); // at least the four stores
    bool sawStore = false;
    for (size_t i = firstKernel; i + 1 < events.size(); ++i)
      if (const auto *w = std::get_if<WalkEvent>(&events[i].body))
        sawStore |= w->write && w->ok && w->gva >= 0x300000 && w->gva < 0x304000;
    EXPECT_TRUE(sawStore);
  }
}

TEST(KvmKernelTraceRunTest, OffByDefault) {
  RINGSIDE_REQUIRE_KVM();
  auto run = runKvmSource("kvm_ktrace_off", kTouchGuest);
  for (const auto &w : run.all<WalkEvent>())
    EXPECT_NE(w.source, EventSource::KernelTrace);
}

} // namespace
} // namespace ringside::test
