#include "guest/nasm_assembler.h"

#include "errors.h"
#include "test_paths.h"

#include <gtest/gtest.h>

namespace ringside {
namespace {

TEST(NasmAssembler, AssemblesAndKeepsTheListing) {
  auto path = test::writeFile(test::scratchDir("nasm-ok") / "g.asm", "bits 32\nnop\nhlt\n");
  NasmOutput out = assembleWithNasm(path.string());
  EXPECT_EQ(out.bytes, (std::vector<uint8_t>{0x90, 0xf4}));
  EXPECT_NE(out.listing.find("F4"), std::string::npos) << out.listing;
}

TEST(NasmAssembler, IncludesResolveNextToTheSource) {
  auto dir = test::scratchDir("nasm-include");
  test::writeFile(dir / "defs.inc", "%define HALT hlt\n");
  auto path = test::writeFile(dir / "g.asm", "%include \"defs.inc\"\nHALT\n");
  EXPECT_EQ(assembleWithNasm(path.string()).bytes, std::vector<uint8_t>{0xf4});
}

TEST(NasmAssembler, MissingNasmExplainsHowToInstallIt) {
  auto path = test::writeFile(test::scratchDir("nasm-missing") / "g.asm", "hlt\n");
  try {
    assembleWithNasm(path.string(), "/nonexistent/bin/nasm");
    FAIL() << "no error for a missing nasm";
  } catch (const InputError &error) {
    std::string message = error.what();
    EXPECT_NE(message.find("/nonexistent/bin/nasm"), std::string::npos) << message;
    EXPECT_NE(message.find("sudo apt-get install nasm"), std::string::npos) << message;
  }
}

} // namespace
} // namespace ringside
