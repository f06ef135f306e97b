#pragma once
// fuzz_snapshot_file: arbitrary bytes as a snapshot file → snapshot::decode. Contract: a
// SnapshotFile or a SnapshotError (never a crash, never another exception); a file that
// decodes encodes back to exactly the same bytes.
#include "fuzz_input.h"
#include "snapshot/byte_io.h"
#include "snapshot/snapshot_file.h"

#include <span>
#include <vector>

namespace ringside::fuzz {

inline int fuzzSnapshotFile(const uint8_t *data, size_t size) {
  snapshot::SnapshotFile file;
  try {
    file = snapshot::decode(std::span(data, size), "fuzz.rss");
  } catch (const snapshot::SnapshotError &) {
    return 0;
  }
  auto again = snapshot::encode(file);
  check(again == std::vector<uint8_t>(data, data + size),
        "a decoded snapshot does not encode back to the same bytes");
  return 0;
}

} // namespace ringside::fuzz
