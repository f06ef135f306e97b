#pragma once
// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the checksum of every snapshot
// section, the same value `zlib.crc32` and `cksum -a crc32b` print.
#include <cstdint>
#include <span>

namespace ringside::snapshot {

uint32_t crc32(std::span<const uint8_t> bytes, uint32_t crc = 0);

} // namespace ringside::snapshot
