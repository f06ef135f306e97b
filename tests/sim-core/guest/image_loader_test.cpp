#include "guest/image_loader.h"

#include "errors.h"
#include "test_paths.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

const char *kBootSector = "bits 16\n"
                          "org 0x7c00\n"
                          "start: mov ax, 0x1234\n"
                          "  hlt\n";
const std::vector<uint8_t> kBootBytes = {0xb8, 0x34, 0x12, 0xf4};

/// The InputError message loadGuestImage throws, or "" when it loads.
std::string loadError(const std::string &path, const LoadOptions &options = {}) {
  try {
    loadGuestImage(path, options);
  } catch (const InputError &error) {
    return error.what();
  }
  return "";
}

TEST(ImageLoader, AssemblesAsmWithDefaults) {
  auto path = test::writeFile(test::scratchDir("loader-asm") / "boot.asm", kBootSector).string();
  GuestImage image = loadGuestImage(path);
  EXPECT_EQ(image.path, path);
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.segments[0].bytes, kBootBytes);
  EXPECT_EQ(image.segments[0].gpa, kDefaultLoadAddress);
  EXPECT_EQ(image.segments[0].memSize, kBootBytes.size());
  EXPECT_EQ(image.entry, kDefaultLoadAddress);
  EXPECT_EQ(image.entryMode, EntryMode::Real);
  EXPECT_FALSE(image.entryModeFromFile);
  EXPECT_NE(image.listing.find("B83412"), std::string::npos) << image.listing;
}

TEST(ImageLoader, DirectiveChoosesEntryModeAndLoadAddress) {
  auto path = test::writeFile(test::scratchDir("loader-directive") / "g.asm",
                              "; a long-mode guest\n"
                              "\n"
                              "  ;  RingSide :  Entry = LONG   load=0x100000\n"
                              "bits 64\n"
                              "hlt\n")
                  .string();
  GuestImage image = loadGuestImage(path);
  EXPECT_EQ(image.entryMode, EntryMode::Long);
  EXPECT_TRUE(image.entryModeFromFile);
  EXPECT_EQ(image.segments.at(0).gpa, 0x100000u);
  EXPECT_EQ(image.entry, 0x100000u);
  EXPECT_EQ(image.segments.at(0).bytes, std::vector<uint8_t>{0xf4});
}

TEST(ImageLoader, DirectiveOnlyCountsInTheFirstThirtyLines) {
  std::string source(30, '\n');
  source += "; ringside: entry=protected\nhlt\n";
  auto path = test::writeFile(test::scratchDir("loader-late") / "g.asm", source).string();
  GuestImage image = loadGuestImage(path);
  EXPECT_EQ(image.entryMode, EntryMode::Real);
  EXPECT_FALSE(image.entryModeFromFile);
}

TEST(ImageLoader, LoadOptionsOverrideTheDirective) {
  auto path = test::writeFile(test::scratchDir("loader-override") / "g.asm",
                              "; ringside: entry=long load=0x100000\nhlt\n")
                  .string();
  GuestImage image =
      loadGuestImage(path, {.loadAddress = 0x8000, .entryMode = EntryMode::Protected});
  EXPECT_EQ(image.entryMode, EntryMode::Protected);
  EXPECT_FALSE(image.entryModeFromFile);
  EXPECT_EQ(image.segments.at(0).gpa, 0x8000u);
  EXPECT_EQ(image.entry, 0x8000u);
}

TEST(ImageLoader, BadDirectiveNamesFileAndLine) {
  auto dir = test::scratchDir("loader-bad-directive");
  auto badMode = test::writeFile(dir / "a.asm", "nop\n; ringside: entry=unreal\n").string();
  EXPECT_EQ(loadError(badMode),
            badMode +
                ":2: unknown ringside entry mode 'unreal' (expected real, protected or long)");
  auto badKey = test::writeFile(dir / "b.asm", "; ringside: entry=real speed=fast\n").string();
  EXPECT_NE(loadError(badKey).find(badKey + ":1: unknown ringside setting 'speed'"),
            std::string::npos);
  auto badLoad = test::writeFile(dir / "c.asm", "\n\n\n; ringside: load=0xZZ\n").string();
  EXPECT_NE(loadError(badLoad).find(badLoad + ":4: bad ringside load address"), std::string::npos);
  auto bare = test::writeFile(dir / "d.asm", "; ringside: long\n").string();
  EXPECT_NE(loadError(bare).find(bare + ":1:"), std::string::npos);
}

TEST(ImageLoader, NasmErrorIsReportedAsNasmPrintsIt) {
  auto path = test::writeFile(test::scratchDir("loader-nasm-error") / "bad.asm",
                              "bits 16\nmov ax, bx\nfoo bar baz\nmov ax, nowhere\n")
                  .string();
  std::string message = loadError(path);
  EXPECT_EQ(message.rfind(path + ":3: error:", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(ImageLoader, UndefinedSymbolErrorNamesItsLine) {
  auto path =
      test::writeFile(test::scratchDir("loader-undefined") / "u.asm", "bits 16\nnop\njmp nowhere\n")
          .string();
  std::string message = loadError(path);
  EXPECT_EQ(message.rfind(path + ":3: error:", 0), 0u) << message;
  EXPECT_NE(message.find("nowhere"), std::string::npos) << message;
}

TEST(ImageLoader, EmptyAsmIsAnError) {
  auto path =
      test::writeFile(test::scratchDir("loader-empty-asm") / "e.asm", "; nothing\n").string();
  EXPECT_NE(loadError(path).find("produced no bytes"), std::string::npos);
}

TEST(ImageLoader, FlatBinaryLoadsAtTheLoadAddress) {
  auto path =
      test::writeFile(test::scratchDir("loader-bin") / "g.bin", "\xb8\x34\x12\xf4").string();
  GuestImage image = loadGuestImage(path);
  EXPECT_EQ(image.segments.at(0).bytes, kBootBytes);
  EXPECT_EQ(image.segments.at(0).gpa, kDefaultLoadAddress);
  EXPECT_EQ(image.entry, kDefaultLoadAddress);
  EXPECT_EQ(image.entryMode, EntryMode::Real);
  EXPECT_FALSE(image.entryModeFromFile);
  EXPECT_TRUE(image.listing.empty());

  GuestImage moved = loadGuestImage(path, {.loadAddress = 0x10000, .entryMode = std::nullopt});
  EXPECT_EQ(moved.segments.at(0).gpa, 0x10000u);
  EXPECT_EQ(moved.entry, 0x10000u);
}

TEST(ImageLoader, EmptyBinaryIsAnError) {
  auto path = test::writeFile(test::scratchDir("loader-empty-bin") / "g.bin", "").string();
  EXPECT_EQ(loadError(path), "guest '" + path + "' is empty");
}

TEST(ImageLoader, MissingFileSaysSo) {
  auto path = (test::scratchDir("loader-missing") / "absent.asm").string();
  EXPECT_EQ(loadError(path), "cannot open guest '" + path + "': No such file or directory");
  auto dir = test::scratchDir("loader-directory").string();
  EXPECT_EQ(loadError(dir), "cannot open guest '" + dir + "': Is a directory");
}

TEST(ImageLoader, ParseAddressAcceptsHexAndDecimal) {
  EXPECT_EQ(parseAddress("0x7c00"), 0x7c00u);
  EXPECT_EQ(parseAddress("0X7C00"), 0x7c00u);
  EXPECT_EQ(parseAddress("31744"), 31744u);
  EXPECT_EQ(parseAddress("0"), 0u);
  for (const char *junk : {"", "0x", "7c00", "0x7c00z", "-1", " 12", "99999999999999999999999"})
    EXPECT_THROW(parseAddress(junk), InputError) << junk;
}

} // namespace
} // namespace ringside
