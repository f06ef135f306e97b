#pragma once
// Loads a guest image from a file. Bad input throws InputError with a one-line message that
// names the file (and line, for nasm diagnostics).
#include "guest/image.h"

#include <optional>
#include <string>

namespace ringside {

struct LoadOptions {
  std::optional<uint64_t> loadAddress; ///< --load: where .asm/.bin images go (default 0x7C00)
  std::optional<EntryMode> entryMode;  ///< --entry: overrides the file's own or default mode
  /// Grading: .asm sources may %include/incbin only files under this directory ("" = none);
  /// see guest/include_jail.h. Unset: nasm reads what it is told to.
  std::optional<std::string> includeJail = std::nullopt;
};

/// Loads `.asm` (assembled with nasm -f bin), `.bin` (flat) or an ELF32/ELF64 executable
/// (detected by its magic, whatever the extension).
GuestImage loadGuestImage(const std::string &path, const LoadOptions &options = {});

/// Default load address of flat images: where a PC BIOS puts a boot sector.
inline constexpr uint64_t kDefaultLoadAddress = 0x7C00;

/// Parses an address written as hex ("0x7c00") or decimal ("31744"). Throws InputError on
/// anything else (empty text, junk, a value above 64 bits).
uint64_t parseAddress(const std::string &text);

} // namespace ringside
