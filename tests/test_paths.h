#pragma once
// Paths the tests need: the source tree, the shared reference facts, a scratch directory.
#include <filesystem>
#include <string>

namespace ringside::test {

std::filesystem::path sourceDir();
std::filesystem::path sharedDir();
/// A fresh, empty directory for one test (removed and re-created each call with the same name).
std::filesystem::path scratchDir(const std::string &name);
/// Writes text to a file in a scratch directory and returns its path.
std::filesystem::path writeFile(const std::filesystem::path &path, const std::string &text);

} // namespace ringside::test
