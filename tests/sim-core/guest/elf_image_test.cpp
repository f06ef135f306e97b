#include "guest/elf_image.h"

#include "elf_test_builder.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "guest/nasm_assembler.h"
#include "test_paths.h"

#include <cstdlib>
#include <gtest/gtest.h>

namespace ringside {
namespace {

using test::buildElf32;
using test::buildElf64;
using test::TestElf;

std::vector<uint8_t> toBytes(const std::string &text) { return {text.begin(), text.end()}; }

/// The InputError message parseElfImage throws for `file`, or "" when it loads.
std::string elfError(const std::string &file) {
  try {
    parseElfImage("g.elf", toBytes(file));
  } catch (const InputError &error) {
    return error.what();
  }
  return "";
}

TEST(ElfImage, Elf32LoadsEachSegmentAtItsPhysicalAddress) {
  TestElf spec;
  spec.entry = 0x100004;
  spec.segments = {{0x100000, "\x90\x90\x90\x90\xf4", 0, PT_LOAD},
                   {0x200000, "\x01\x02", 0x1000, PT_LOAD},
                   {0x300000, "note", 0, PT_NOTE}};
  GuestImage image = parseElfImage("g.elf", toBytes(buildElf32(spec)));
  EXPECT_EQ(image.path, "g.elf");
  EXPECT_EQ(image.entry, 0x100004u);
  EXPECT_EQ(image.entryMode, EntryMode::Protected);
  EXPECT_TRUE(image.entryModeFromFile);
  ASSERT_EQ(image.segments.size(), 2u);
  EXPECT_EQ(image.segments[0].gpa, 0x100000u);
  EXPECT_EQ(image.segments[0].bytes, (std::vector<uint8_t>{0x90, 0x90, 0x90, 0x90, 0xf4}));
  EXPECT_EQ(image.segments[0].memSize, 5u);
  EXPECT_EQ(image.segments[1].gpa, 0x200000u);
  EXPECT_EQ(image.segments[1].bytes, (std::vector<uint8_t>{1, 2}));
  EXPECT_EQ(image.segments[1].memSize, 0x1000u);
}

TEST(ElfImage, Elf64DefaultsToLongMode) {
  TestElf spec;
  spec.entry = 0x400000;
  spec.segments = {{0x400000, std::string("\x48\x31\xc0\xf4", 4)}};
  GuestImage image = parseElfImage("g.elf", toBytes(buildElf64(spec)));
  EXPECT_EQ(image.entryMode, EntryMode::Long);
  EXPECT_TRUE(image.entryModeFromFile);
  EXPECT_EQ(image.entry, 0x400000u);
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.segments[0].bytes, (std::vector<uint8_t>{0x48, 0x31, 0xc0, 0xf4}));
}

TEST(ElfImage, DetectsMagicWhateverTheExtension) {
  auto dir = test::scratchDir("elf-magic");
  TestElf spec;
  spec.entry = 0x100000;
  spec.segments = {{0x100000, "\xf4"}};
  auto path = test::writeFile(dir / "guest.bin", buildElf64(spec)).string();
  GuestImage image = loadGuestImage(path);
  EXPECT_EQ(image.entryMode, EntryMode::Long);
  EXPECT_EQ(image.segments.at(0).gpa, 0x100000u);

  GuestImage real =
      loadGuestImage(path, {.loadAddress = std::nullopt, .entryMode = EntryMode::Real});
  EXPECT_EQ(real.entryMode, EntryMode::Real);
  EXPECT_FALSE(real.entryModeFromFile);

  try {
    loadGuestImage(path, {.loadAddress = 0x8000, .entryMode = std::nullopt});
    FAIL() << "--load accepted for an ELF";
  } catch (const InputError &error) {
    EXPECT_NE(std::string(error.what()).find("--load"), std::string::npos) << error.what();
  }
}

TEST(ElfImage, RejectsTruncatedHeaders) {
  TestElf spec;
  spec.entry = 0x100000;
  spec.segments = {{0x100000, "\xf4"}, {0x200000, "\xf4"}};
  std::string file = buildElf64(spec);
  EXPECT_NE(elfError(file.substr(0, 10)).find("truncated ELF header"), std::string::npos);
  EXPECT_NE(elfError(file.substr(0, 40)).find("truncated ELF64 header"), std::string::npos);
  EXPECT_NE(elfError(file.substr(0, sizeof(Elf64_Ehdr) + 60)).find("truncated program header"),
            std::string::npos);
  // Both headers complete, the last segment's byte cut off.
  EXPECT_NE(elfError(file.substr(0, file.size() - 1)).find("beyond the end of the file"),
            std::string::npos);
}

TEST(ElfImage, RejectsWrongClassEndiannessAndMachine) {
  TestElf spec;
  spec.segments = {{0x100000, "\xf4"}};
  std::string file = buildElf32(spec);
  std::string badClass = file;
  badClass[EI_CLASS] = 7;
  EXPECT_NE(elfError(badClass).find("ELF class 7"), std::string::npos);
  std::string bigEndian = file;
  bigEndian[EI_DATA] = ELFDATA2MSB;
  EXPECT_NE(elfError(bigEndian).find("little endian"), std::string::npos);

  spec.machine = EM_ARM;
  std::string message = elfError(buildElf32(spec));
  EXPECT_EQ(message, "guest 'g.elf': ELF machine 40 (ARM) is not x86");
  spec.machine = EM_X86_64; // x32-style: right family, wrong class
  EXPECT_NE(elfError(buildElf32(spec)).find("expected 3 (Intel 80386)"), std::string::npos);
}

TEST(ElfImage, RejectsNonExecutablesAndBadSegments) {
  TestElf dyn;
  dyn.type = ET_DYN;
  dyn.segments = {{0x100000, "\xf4"}};
  EXPECT_NE(elfError(buildElf64(dyn)).find("not an executable ELF (type ET_DYN"),
            std::string::npos);

  TestElf noLoad;
  noLoad.segments = {{0x100000, "note", 0, PT_NOTE}};
  EXPECT_NE(elfError(buildElf64(noLoad)).find("no PT_LOAD segment"), std::string::npos);

  TestElf tooMuchFile;
  tooMuchFile.segments = {{0x100000, "\xf4\xf4\xf4\xf4", 2}};
  EXPECT_NE(elfError(buildElf32(tooMuchFile)).find("p_filesz 0x4 larger than p_memsz 0x2"),
            std::string::npos);

  TestElf overlap;
  overlap.segments = {{0x100000, "abcd", 0x2000}, {0x101000, "efgh"}};
  EXPECT_NE(elfError(buildElf64(overlap)).find("overlapping PT_LOAD segments"), std::string::npos);
}

TEST(ElfImage, LoadsAnElf64LinkedByTheToolchain) {
  if (std::system("command -v ld >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "ld is not installed";
  auto dir = test::scratchDir("elf-toolchain");
  test::writeFile(dir / "g.asm", "bits 64\n"
                                 "global _start\n"
                                 "section .text\n"
                                 "_start: mov rax, [rel value]\n"
                                 "  hlt\n"
                                 "section .data\n"
                                 "value: dq 0x1122334455667788\n");
  const std::string base = dir.string() + "/g";
  const std::string commands = std::string(defaultNasmPath()) + " -f elf64 -o " + base + ".o " +
                               base + ".asm && ld -m elf_x86_64 -Ttext=0x100000 --nmagic -o " +
                               base + ".elf " + base + ".o";
  ASSERT_EQ(std::system(commands.c_str()), 0) << commands;

  GuestImage image = loadGuestImage(base + ".elf");
  EXPECT_EQ(image.entry, 0x100000u);
  EXPECT_EQ(image.entryMode, EntryMode::Long);
  ASSERT_FALSE(image.segments.empty());
  const ImageSegment *text = nullptr;
  for (const auto &segment : image.segments)
    if (segment.gpa <= 0x100000 && 0x100000 < segment.gpa + segment.memSize)
      text = &segment;
  ASSERT_NE(text, nullptr);
  // mov rax, [rel value] is REX.W 8B /r.
  size_t at = 0x100000 - text->gpa;
  ASSERT_GE(text->bytes.size(), at + 2);
  EXPECT_EQ(text->bytes[at], 0x48);
  EXPECT_EQ(text->bytes[at + 1], 0x8b);
}

} // namespace
} // namespace ringside
