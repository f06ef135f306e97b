#pragma once
// Runs nasm (`-f bin`) on a guest source file in a private temporary directory.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace ringside {

struct NasmOutput {
  std::vector<uint8_t> bytes; ///< the flat binary
  std::string listing;        ///< nasm's `-l` listing text
};

/// The nasm the build found (the RINGSIDE_NASM compile definition).
const char *defaultNasmPath();

/// Assembles `sourcePath` with `nasmPath -f bin`. Throws InputError carrying nasm's first
/// `file:line: error: …` diagnostic, or saying how to install nasm when it is missing.
/// With `includeJail`, nasm's dependency list is checked after assembly and the result refused
/// when nasm read a file outside that directory (guest/include_jail.h).
NasmOutput assembleWithNasm(const std::string &sourcePath,
                            const std::string &nasmPath = defaultNasmPath(),
                            const std::optional<std::string> &includeJail = std::nullopt);

} // namespace ringside
