// The tracefs session around a real tiny guest on this host. CI runs as root; elsewhere the test
// skips and says why tracefs is not usable.
#include "kernel_trace_session.h"

#include "tiny_kvm_guest.h"

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>
#include <iostream>
#include <sys/syscall.h>
#include <unistd.h>

namespace ringside::kvm {
namespace {

namespace fs = std::filesystem;

// out 0x10, al ; mov dword [0x3000], 0x12345678 ; hlt
const std::vector<uint8_t> kGuest = {0xe6, 0x10, 0xc7, 0x04, 0x25, 0x00, 0x30,
                                     0x00, 0x00, 0x78, 0x56, 0x34, 0x12, 0xf4};

TEST(KernelTraceSession, ReportsWhyTracefsIsOrIsNotUsable) {
  const TracefsProbe probe = probeTracefs(false);
  EXPECT_FALSE(probe.message.empty());
  if (probe.usable()) {
    EXPECT_TRUE(fs::exists(probe.root / "instances"));
  } else if (probe.state == TracefsState::NotMounted) {
    EXPECT_NE(probe.message.find("mount -t tracefs"), std::string::npos);
  }
}

TEST(KernelTraceSession, RecordsWhatTheKernelSawOfATinyGuest) {
  const TracefsProbe probe = probeTracefs(true);
  if (!probe.usable())
    GTEST_SKIP() << probe.message;
  test::TinyKvmGuest guest;
  std::string why;
  if (!guest.open(why))
    GTEST_SKIP() << "/dev/kvm not usable: " << why;
  ASSERT_TRUE(guest.setup(why)) << why;
  guest.load(kGuest);

  KernelTraceSession session;
  KernelTraceSession::Options options;
  // This thread runs KVM_RUN; plus the emulate/pio events that show what PVM does instead.
  options.pids = {static_cast<pid_t>(::syscall(SYS_gettid))};
  options.events.push_back("kvm/kvm_pio");
  options.events.push_back("kvm/kvm_emulate_insn");
  ASSERT_TRUE(session.start(options)) << session.error();
  const fs::path instance = session.instanceDir();
  EXPECT_TRUE(fs::exists(instance));

  ASSERT_GT(guest.runToHlt(), 0);
  uint32_t stored = 0;
  std::memcpy(&stored, guest.mem() + 0x3000, 4);
  EXPECT_EQ(stored, 0x12345678u);

  const auto capture = session.stop();
  ASSERT_TRUE(capture) << session.error();
  EXPECT_FALSE(fs::exists(instance)) << "the instance must be removed";
  EXPECT_FALSE(session.active());
  ASSERT_FALSE(capture->lines.empty());
  for (const auto &[event, count] : capture->parsed.linesPerEvent)
    std::cout << "[ tracefs ] " << event << ": " << count << " lines\n";

  const auto &p = capture->parsed;
  const auto count = [&p](std::string_view e) {
    const auto it = p.linesPerEvent.find(e);
    return it == p.linesPerEvent.end() ? uint64_t{0} : it->second;
  };
  EXPECT_GE(count("kvm_pio"), 1u); // the OUT, on every host kind
  if (fs::exists("/sys/module/kvm_pvm")) {
    // PVM: CPL0 code is emulated under shadow paging; the walks are the guest's own.
    EXPECT_EQ(count("kvm_exit"), 0u);
    EXPECT_GE(count("kvm_emulate_insn"), 3u);
    const auto store = std::find_if(p.events.begin(), p.events.end(), [](const auto &e) {
      const auto *w = std::get_if<WalkEvent>(&e.body);
      return w && w->gva == 0x3000 && w->write;
    });
    ASSERT_NE(store, p.events.end());
    const auto &walk = std::get<WalkEvent>(store->body);
    EXPECT_TRUE(walk.ok);
    EXPECT_EQ(walk.gpa, 0x3000u);
    EXPECT_EQ(walk.mode, WalkMode::Long4);
    EXPECT_EQ(walk.steps[0].entry, (test::TinyKvmGuest::kTables + 0x1000) | 0x7 | 0x20);
  } else if (fs::exists("/sys/module/kvm_intel")) {
    const bool sawIo = std::any_of(p.events.begin(), p.events.end(), [](const auto &e) {
      const auto *x = std::get_if<ExitEvent>(&e.body);
      return x && x->reason == 30 && x->rip == test::TinyKvmGuest::kCode;
    });
    EXPECT_TRUE(sawIo);
  }
}

TEST(KernelTraceSession, DestructionRemovesTheInstance) {
  if (!probeTracefs(true).usable())
    GTEST_SKIP() << probeTracefs(false).message;
  fs::path instance;
  {
    KernelTraceSession session;
    KernelTraceSession::Options options;
    options.events = {"kvm/kvm_exit", "nosuchsystem/nosuchevent"};
    ASSERT_TRUE(session.start(options)) << session.error();
    instance = session.instanceDir();
    EXPECT_TRUE(fs::exists(instance / "events/kvm/kvm_exit"));
  }
  EXPECT_FALSE(fs::exists(instance));
}

TEST(KernelTraceSession, UnknownEventsOnlyIsAnErrorAndLeavesNothing) {
  if (!probeTracefs(true).usable())
    GTEST_SKIP() << probeTracefs(false).message;
  KernelTraceSession session;
  KernelTraceSession::Options options;
  options.events = {"nosuchsystem/nosuchevent"};
  EXPECT_FALSE(session.start(options));
  EXPECT_NE(session.error().find("none of the requested"), std::string::npos);
  EXPECT_FALSE(session.active());
  EXPECT_FALSE(session.stop());
}

} // namespace
} // namespace ringside::kvm
