// A guest whose driver has set up a virtio device cannot be snapshotted: the virtqueue and
// the disk are not in the format, so saving is refused with an error that says so
// (platform_state.cpp). The kvm half is in tests/kvm-backend/kvm_snapshot_test.cpp.
#include "backend/backend.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "test_paths.h"

#include <gtest/gtest.h>

namespace ringside::test {
namespace {

// Writes the console device's descriptor-table address (port 0x608), then spins.
std::string guest(bool touchVirtio) {
  return std::string("bits 16\norg 0x7c00\n") +
         (touchVirtio ? "        mov dx, 0x608\n        mov eax, 0x1000\n        out dx, eax\n"
                      : "") +
         ".spin:  jmp .spin\n";
}

std::string saveError(const std::string &backend, bool touchVirtio, bool step) {
  auto path = writeFile(scratchDir("virtio_snapshot_" + backend) /
                            (touchVirtio ? "virtio.asm" : "plain.asm"),
                        guest(touchVirtio));
  auto b = createBackend(backend);
  RunConfig config;
  config.maxInstructions = 20;
  config.singleStep = step;
  b->load(loadGuestImage(path.string(), {}), config);
  EXPECT_EQ(b->run().stop.kind, StopKind::Budget);
  try {
    b->saveState();
    return "";
  } catch (const InputError &e) {
    return e.what();
  }
}

TEST(VirtioSnapshot, EmuRefusesAMachineWithAnActiveVirtioDevice) {
  EXPECT_EQ(saveError("emu", false, false), "");
  auto error = saveError("emu", true, false);
  EXPECT_NE(error.find("virtio console"), std::string::npos) << error;
}

} // namespace
} // namespace ringside::test
