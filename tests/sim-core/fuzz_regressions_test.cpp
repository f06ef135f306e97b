// Replays every fuzz input we keep through its harness under GoogleTest, so the normal (and the
// sanitizer) suites catch a regression without clang or libFuzzer: the crash inputs in
// tests/fuzz/regressions/<target>/ and the seed corpora in tests/fuzz/corpus/<target>/.
#include "fuzz/fuzz_targets.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ostream>

namespace ringside::fuzz {
// Names the target in test output instead of dumping the struct's bytes.
void PrintTo(const Target &target, std::ostream *out) { *out << target.name; }
} // namespace ringside::fuzz

namespace ringside::test {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> inputsIn(const fs::path &dir) {
  std::vector<fs::path> files;
  if (fs::is_directory(dir))
    for (const auto &entry : fs::directory_iterator(dir))
      if (entry.is_regular_file() && entry.path().filename().string().front() != '.')
        files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<uint8_t> readBytes(const fs::path &path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void replay(const fuzz::Target &target, const fs::path &file) {
  const std::vector<uint8_t> bytes = readBytes(file);
  try {
    target.run(bytes.data(), bytes.size());
  } catch (const std::exception &e) {
    ADD_FAILURE() << file << ": " << e.what();
  }
}

class FuzzRegressions : public ::testing::TestWithParam<fuzz::Target> {};

TEST_P(FuzzRegressions, SeedCorpusExistsAndReplaysCleanly) {
  const auto files = inputsIn(sourceDir() / "tests" / "fuzz" / "corpus" / GetParam().name);
  ASSERT_FALSE(files.empty()) << "no seed corpus for " << GetParam().name;
  for (const auto &file : files)
    replay(GetParam(), file);
}

TEST_P(FuzzRegressions, CrashInputsStayFixed) {
  for (const auto &file :
       inputsIn(sourceDir() / "tests" / "fuzz" / "regressions" / GetParam().name))
    replay(GetParam(), file);
}

INSTANTIATE_TEST_SUITE_P(Targets, FuzzRegressions, ::testing::ValuesIn(fuzz::kTargets),
                         [](const auto &info) { return std::string(info.param.name); });

} // namespace
} // namespace ringside::test
