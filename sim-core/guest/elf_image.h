#pragma once
// Turns an x86 ELF32/ELF64 executable into a GuestImage: one segment per PT_LOAD, placed at
// its physical address.
#include "guest/image.h"

#include <cstdint>
#include <string>
#include <vector>

namespace ringside {

/// True when the bytes start with the ELF magic `\x7fELF`.
bool hasElfMagic(const std::vector<uint8_t> &bytes);

/// Parses an ELF executable (ET_EXEC, little endian; ELF32 EM_386 or ELF64 EM_X86_64).
/// Entry mode defaults to protected for ELF32 and long for ELF64. Throws InputError naming
/// `path` on anything malformed or unsupported.
GuestImage parseElfImage(const std::string &path, const std::vector<uint8_t> &bytes);

} // namespace ringside
