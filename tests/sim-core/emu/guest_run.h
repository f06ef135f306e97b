#pragma once
// Runs a guest from tests/guests (or a source string) on the emu backend and keeps what a
// test needs to look at: the result, every event, the console and the VGA text.
#include "backend/backend.h"
#include "event_bodies.h"
#include "guest/image_loader.h"
#include "platform/platform.h"
#include "test_paths.h"

#include <string>
#include <vector>

namespace ringside::test {

struct GuestRun {
  RunResult result;
  std::vector<Event> events;
  std::string console;
  std::string vga;

  template <typename T> std::vector<T> all() const { return bodiesOf<T>(events); }
};

/// The exits a guest-written hypervisor saw from its nested guest.
inline std::vector<ExitEvent> nestedExits(const GuestRun &run) {
  std::vector<ExitEvent> out;
  for (const auto &e : run.all<ExitEvent>())
    if (e.nested)
      out.push_back(e);
  return out;
}

inline GuestRun runGuestFile(const std::filesystem::path &path, RunConfig config = {},
                             LoadOptions load = {}) {
  auto backend = createBackend("emu");
  backend->load(loadGuestImage(path.string(), load), config);
  GuestRun run;
  run.result = backend->run();
  run.events = backend->trace().events();
  run.console = backend->platform().console();
  run.vga = backend->platform().vgaText();
  return run;
}

inline GuestRun runGuest(const std::string &name, RunConfig config = {}, LoadOptions load = {}) {
  return runGuestFile(sourceDir() / "tests" / "guests" / name, config, load);
}

inline GuestRun runSource(const std::string &testName, const std::string &source,
                          RunConfig config = {}) {
  auto path = writeFile(scratchDir(testName) / "guest.asm", source);
  return runGuestFile(path, config);
}

} // namespace ringside::test
