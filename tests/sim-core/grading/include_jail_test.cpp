// The include jail: source scan and nasm dependency check, directly and through the loader.
#include "errors.h"
#include "guest/image_loader.h"
#include "guest/include_jail.h"
#include "test_paths.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> bytes(const std::string &text) { return {text.begin(), text.end()}; }

std::string scanError(const fs::path &source, const std::string &text, const std::string &jail) {
  try {
    checkIncludeDirectives(source.string(), bytes(text), jail);
  } catch (const InputError &e) {
    return e.what();
  }
  return "allowed";
}

TEST(IncludeJail, ScanAllowsPlainNamesInsideAndRefusesTheRest) {
  const fs::path dir = test::scratchDir("jail-scan");
  test::writeFile(dir / "lib.inc", "nop\n");
  const fs::path src = dir / "main.asm";
  const std::string jail = dir.string();
  EXPECT_EQ(scanError(src, "%include \"lib.inc\"\n", jail), "allowed");
  EXPECT_EQ(scanError(src, "  incbin 'lib.inc' ; data\n", jail), "allowed");
  EXPECT_EQ(scanError(src, "; %include \"/etc/passwd\" in a comment\n", jail), "allowed");
  EXPECT_NE(scanError(src, "%include \"/etc/passwd\"\n", jail)
                .find("main.asm:1: %include of "
                      "'/etc/passwd' refused"),
            std::string::npos);
  EXPECT_NE(scanError(src, "nop\n%INCLUDE \"../x.inc\"\n", jail).find("main.asm:2"),
            std::string::npos);
  EXPECT_NE(scanError(src, "%define F \"/etc/passwd\"\nincbin F\n", jail).find("plain quoted"),
            std::string::npos);
  EXPECT_NE(scanError(src, "%pathsearch P \"/etc/passwd\"\n", jail).find("refused"),
            std::string::npos);
  EXPECT_NE(scanError(src, "%include \"lib.inc\"\n", "").find("may not read other files"),
            std::string::npos);
  // A symlink inside the folder that points out of it is outside.
  fs::create_symlink("/etc/hostname", dir / "link.bin");
  EXPECT_NE(scanError(src, "incbin \"link.bin\"\n", jail).find("refused"), std::string::npos);
}

TEST(IncludeJail, DependencyListIsCheckedWithEscapedNames) {
  EXPECT_EQ(parseMakeDependencies("guest : a.asm my\\ file.inc \\\n  /etc/hostname\n"),
            (std::vector<std::string>{"a.asm", "my file.inc", "/etc/hostname"}));
  const fs::path dir = test::scratchDir("jail-deps");
  const std::string src = (dir / "main.asm").string();
  EXPECT_NO_THROW(checkNasmDependencies(src, "guest : " + src + " " + src + "\n", dir.string()));
  EXPECT_NO_THROW(
      checkNasmDependencies(src, "guest : " + (dir / "x.inc").string() + "\n", dir.string()));
  try {
    checkNasmDependencies(src, "guest : " + src + " /etc/hostname\n", dir.string());
    FAIL() << "not refused";
  } catch (const InputError &e) {
    EXPECT_NE(std::string(e.what()).find("nasm read '/etc/hostname'"), std::string::npos);
  }
}

TEST(IncludeJail, TheLoaderAssemblesInsideTheJailAndRefusesOutside) {
  const fs::path dir = test::scratchDir("jail-loader");
  test::writeFile(dir / "in folder" / "data.bin", "abc");
  test::writeFile(dir / "in folder" / "main.asm", "bits 16\nhlt\nincbin \"data.bin\"\n");
  test::writeFile(dir / "in folder" / "bad.asm", "bits 16\n%include \"../secret.inc\"\n");
  test::writeFile(dir / "secret.inc", "db 1\n");
  LoadOptions jailed;
  jailed.includeJail = (dir / "in folder").string();
  const GuestImage image = loadGuestImage((dir / "in folder" / "main.asm").string(), jailed);
  ASSERT_EQ(image.segments.size(), 1u);
  EXPECT_EQ(image.segments[0].bytes.size(), 4u); // hlt + "abc"
  EXPECT_THROW(loadGuestImage((dir / "in folder" / "bad.asm").string(), jailed), InputError);
  // Without a jail the loader behaves as before.
  EXPECT_NO_THROW(loadGuestImage((dir / "in folder" / "bad.asm").string()));
}

} // namespace
} // namespace ringside
