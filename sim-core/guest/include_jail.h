#pragma once
// Keeps nasm inside a submission: `%include`, `incbin` and friends may only read files under
// one directory (the student's folder). Two layers, because nasm can build names with macros:
// a scan of the source before assembly refuses any file-reading directive whose argument is not
// a plain relative name inside the jail, and nasm's own dependency list (-MD) is checked after
// assembly, refusing the image if nasm read anything outside.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringside {

/// Throws InputError("FILE:LINE: %include of 'NAME' refused: …") for the first file-reading
/// directive that could leave `jailDir`. An empty `jailDir` allows no includes at all.
void checkIncludeDirectives(const std::string &sourcePath, const std::vector<uint8_t> &source,
                            const std::string &jailDir);

/// Parses a make-style dependency file as nasm -MD writes it (escaped spaces included) and
/// throws InputError naming the first prerequisite outside `jailDir` (other than the source).
void checkNasmDependencies(const std::string &sourcePath, const std::string &depText,
                           const std::string &jailDir);

/// The prerequisites of a make rule, unescaped (for tests).
std::vector<std::string> parseMakeDependencies(const std::string &depText);

} // namespace ringside
