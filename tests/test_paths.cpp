#include "test_paths.h"

#include <fstream>
#include <string>
#include <unistd.h>

namespace ringside::test {

std::filesystem::path sourceDir() { return RINGSIDE_SOURCE_DIR; }
std::filesystem::path sharedDir() { return RINGSIDE_SHARED_DIR; }

std::filesystem::path scratchDir(const std::string &name) {
  // Per process: ctest runs tests in parallel, and two tests of one suite share a name.
  auto dir = std::filesystem::temp_directory_path() / "ringside-tests" /
             (name + "-" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

std::filesystem::path writeFile(const std::filesystem::path &path, const std::string &text) {
  std::filesystem::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

} // namespace ringside::test
