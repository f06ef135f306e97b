#pragma once
// fuzz_elf_image: arbitrary bytes → the ELF loader. Contract: a GuestImage or InputError.
// parseElfImage leaves the magic to its caller (image_loader.cpp checks hasElfMagic first), so
// inputs without it are parsed too: that is more of the parser for the fuzzer to reach.
#include "errors.h"
#include "fuzz_input.h"
#include "guest/elf_image.h"

namespace ringside::fuzz {

inline int fuzzElfImage(const uint8_t *data, size_t size) {
  const std::vector<uint8_t> bytes(data, data + size);
  try {
    const GuestImage image = parseElfImage("fuzz.elf", bytes);
    for (const ImageSegment &segment : image.segments) {
      check(segment.memSize >= segment.bytes.size(), "segment memSize below its file size");
      check(segment.bytes.size() <= size, "segment larger than the file");
    }
  } catch (const InputError &) {
    // The documented way to reject a file.
  }
  return 0;
}

} // namespace ringside::fuzz
