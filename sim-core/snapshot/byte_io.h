#pragma once
// Little-endian byte writing and bounds-checked reading for snapshot sections. A reader knows
// which section it reads and where that section starts in the file, so a short or malformed
// payload is reported as "section 'CPU ' at file offset 0x…" (docs/snapshots.md).
#include "errors.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ringside::snapshot {

/// A snapshot file (or one of its sections) is malformed: the message names the file, the
/// section and the byte offset.
class SnapshotError : public InputError {
public:
  using InputError::InputError;
};

class ByteWriter {
public:
  void u8(uint8_t v) { bytes_.push_back(v); }
  void u16(uint16_t v) { put(v, 2); }
  void u32(uint32_t v) { put(v, 4); }
  void u64(uint64_t v) { put(v, 8); }
  void boolean(bool v) { u8(v ? 1 : 0); }
  void raw(std::span<const uint8_t> b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
  /// A u32 length, then the bytes.
  void blob(std::span<const uint8_t> b);
  void str(const std::string &s);
  const std::vector<uint8_t> &bytes() const { return bytes_; }
  std::vector<uint8_t> take() { return std::move(bytes_); }

private:
  void put(uint64_t v, int n);
  std::vector<uint8_t> bytes_;
};

class ByteReader {
public:
  /// `where` names the data in errors ("snap.rss section 'CPU '"); `fileOffset` is where
  /// `data` starts in the file.
  ByteReader(std::span<const uint8_t> data, std::string where, uint64_t fileOffset = 0)
      : data_(data), where_(std::move(where)), base_(fileOffset) {}
  uint8_t u8() { return static_cast<uint8_t>(get(1, "u8")); }
  uint16_t u16() { return static_cast<uint16_t>(get(2, "u16")); }
  uint32_t u32() { return static_cast<uint32_t>(get(4, "u32")); }
  uint64_t u64() { return get(8, "u64"); }
  bool boolean();
  std::span<const uint8_t> raw(uint64_t n, const char *what);
  std::vector<uint8_t> blob(const char *what, uint64_t maxBytes);
  std::string str(const char *what, uint64_t maxBytes = 4096);
  uint64_t offset() const { return pos_; }
  uint64_t remaining() const { return data_.size() - pos_; }
  /// Throws unless every byte was read (trailing bytes mean a format mismatch).
  void expectEnd() const;
  [[noreturn]] void fail(const std::string &what) const;

private:
  uint64_t get(int n, const char *what);
  std::span<const uint8_t> data_;
  std::string where_;
  uint64_t base_ = 0;
  uint64_t pos_ = 0;
};

} // namespace ringside::snapshot
