#include "emu/boot_stub.h"
#include "guest/image_loader.h"
#include "test_paths.h"

#include <gtest/gtest.h>

namespace ringside::test {

// The embedded stub must be exactly what its source assembles to: review boot_stub.asm, not bytes.
TEST(BootStub, EmbeddedBytesMatchTheSource) {
  LoadOptions options;
  options.loadAddress = emu::kBootStubBase;
  auto image =
      loadGuestImage((sourceDir() / "sim-core" / "emu" / "boot_stub.asm").string(), options);
  ASSERT_EQ(image.segments.size(), 1u);
  auto stub = emu::bootStubBytes();
  ASSERT_EQ(image.segments[0].bytes.size(), stub.size());
  EXPECT_TRUE(std::equal(stub.begin(), stub.end(), image.segments[0].bytes.begin()));
  // The long-mode entry follows the protected one: both start with CLI.
  EXPECT_EQ(stub[emu::kBootStubLongEntry - emu::kBootStubBase], 0xFA);
  EXPECT_EQ(stub[emu::kBootStubProtectedEntry - emu::kBootStubBase], 0xFA);
}

} // namespace ringside::test
