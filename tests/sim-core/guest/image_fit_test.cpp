#include "guest/image_fit.h"

#include "errors.h"
#include "platform/layout.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

constexpr uint64_t kRam = 16ull << 20;

GuestImage imageAt(uint64_t gpa, uint64_t memSize, EntryMode mode = EntryMode::Real) {
  GuestImage image;
  image.path = "g.bin";
  image.entry = gpa;
  image.entryMode = mode;
  image.segments.push_back({gpa, std::vector<uint8_t>(1, 0xf4), memSize});
  return image;
}

std::string fitError(const GuestImage &image, uint64_t ram = kRam) {
  try {
    checkImageFits(image, ram);
  } catch (const InputError &error) {
    return error.what();
  }
  return "";
}

TEST(ImageFit, AcceptsABootSectorAndAHighKernel) {
  EXPECT_EQ(fitError(imageAt(0x7c00, 512)), "");
  EXPECT_EQ(fitError(imageAt(0x100000, 0x10000, EntryMode::Long)), "");
  EXPECT_EQ(fitError(imageAt(kRam - 16, 16)), ""); // ends exactly at the top of RAM
}

TEST(ImageFit, RejectsImagesThatDoNotFitInRam) {
  EXPECT_EQ(fitError(imageAt(0x7c00, 20ull << 20)),
            "guest 'g.bin': image is 20971520 bytes, larger than guest RAM (16 MiB)");
  EXPECT_NE(fitError(imageAt(0xf00000, 2ull << 20)).find("runs past the end of guest RAM (16 MiB)"),
            std::string::npos);
  EXPECT_EQ(fitError(imageAt(0x2000000, 16)),
            "guest 'g.bin': load address 0x2000000 is outside guest RAM (16 MiB)");
  EXPECT_NE(fitError(imageAt(0x100000, 16), 640 << 10).find("(640 KiB)"), std::string::npos);
}

TEST(ImageFit, RejectsTheVgaWindowInEveryMode) {
  for (auto mode : {EntryMode::Real, EntryMode::Protected, EntryMode::Long}) {
    std::string message = fitError(imageAt(0xb0000, 0x9000, mode));
    EXPECT_NE(message.find("overlaps the VGA text window 0xb8000..0xbffff"), std::string::npos)
        << message;
  }
  EXPECT_EQ(fitError(imageAt(0xb0000, 0x8000)), ""); // ends right below it
}

TEST(ImageFit, PlatformRangeIsReservedOnlyWhenThePlatformBuildsTables) {
  EXPECT_EQ(fitError(imageAt(0x1000, 0x100)), "");
  std::string message = fitError(imageAt(0x6000, 0x2000, EntryMode::Protected));
  EXPECT_NE(message.find("overlaps the platform's reserved range"), std::string::npos) << message;
  EXPECT_NE(fitError(imageAt(0x0, 0x1001, EntryMode::Long)).find("reserved"), std::string::npos);
  EXPECT_EQ(fitError(imageAt(layout::kPlatformEnd, 0x100, EntryMode::Long)), "");
}

TEST(ImageFit, EntryMustBeInsideASegment) {
  GuestImage image = imageAt(0x100000, 0x1000, EntryMode::Long);
  image.entry = 0x100fff;
  EXPECT_EQ(fitError(image), "");
  image.entry = 0x101000;
  EXPECT_EQ(fitError(image), "guest 'g.bin': entry point 0x101000 is outside every loaded segment");
}

TEST(ImageFit, FormatsMemorySizes) {
  EXPECT_EQ(formatMemorySize(16ull << 20), "16 MiB");
  EXPECT_EQ(formatMemorySize(640 << 10), "640 KiB");
  EXPECT_EQ(formatMemorySize(4ull << 30), "4 GiB");
  EXPECT_EQ(formatMemorySize(1000), "1000 bytes");
}

} // namespace
} // namespace ringside
