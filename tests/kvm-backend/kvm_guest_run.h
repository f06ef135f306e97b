#pragma once
// Runs a guest on the KVM backend for a test and keeps what the test looks at. Every KVM test
// starts with RINGSIDE_REQUIRE_KVM(), which skips with the probe's reason where /dev/kvm is
// not usable.
#include "backend/backend.h"
#include "event_bodies.h"
#include "guest/image_loader.h"
#include "kvm_backend.h"
#include "kvm_host.h"
#include "platform/platform.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#define RINGSIDE_REQUIRE_KVM()                                                                     \
  do {                                                                                             \
    auto kvmProbe_ = ::ringside::kvm::probeHost();                                                 \
    if (!kvmProbe_.usable())                                                                       \
      GTEST_SKIP() << kvmProbe_.reason;                                                            \
  } while (0)

namespace ringside::test {

struct KvmRun {
  RunResult result;
  std::vector<Event> events;
  std::string console;
  std::string vga;

  template <typename T> std::vector<T> all() const { return bodiesOf<T>(events); }
};

inline KvmRun runOnKvm(const std::filesystem::path &path, RunConfig config = {}) {
  auto backend = kvm::createKvmBackend();
  backend->load(loadGuestImage(path.string(), {}), config);
  KvmRun run;
  run.result = backend->run();
  run.events = backend->trace().events();
  run.console = backend->platform().console();
  run.vga = backend->platform().vgaText();
  return run;
}

inline KvmRun runTestGuest(const std::string &name, RunConfig config = {}) {
  return runOnKvm(sourceDir() / "tests" / "guests" / name, config);
}

inline KvmRun runKvmSource(const std::string &testName, const std::string &source,
                           RunConfig config = {}) {
  return runOnKvm(writeFile(scratchDir(testName) / "guest.asm", source), config);
}

/// Threads of this process (entries of /proc/self/task).
inline size_t threadCount() {
  size_t n = 0;
  for ([[maybe_unused]] const auto &entry : std::filesystem::directory_iterator("/proc/self/task"))
    ++n;
  return n;
}

} // namespace ringside::test
