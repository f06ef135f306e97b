#pragma once
// Checks, before anything is copied, that a guest image fits the platform's memory layout.
#include "guest/image.h"

#include <cstdint>
#include <string>

namespace ringside {

/// Throws InputError naming the image's file when a segment lies outside guest RAM
/// [0, ramBytes), overlaps the VGA text window, overlaps the platform's reserved GDT/page-table
/// range (protected and long entry only), or when the entry point is outside every segment.
void checkImageFits(const GuestImage &image, uint64_t ramBytes);

/// "16 MiB", "640 KiB" or "1000 bytes": RAM sizes as a person writes them.
std::string formatMemorySize(uint64_t bytes);

} // namespace ringside
