#include "snapshot/byte_io.h"

#include "util/hex.h"

namespace ringside::snapshot {

void ByteWriter::put(uint64_t v, int n) {
  for (int i = 0; i < n; ++i)
    bytes_.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void ByteWriter::blob(std::span<const uint8_t> b) {
  u32(static_cast<uint32_t>(b.size()));
  raw(b);
}

void ByteWriter::str(const std::string &s) {
  blob(std::span(reinterpret_cast<const uint8_t *>(s.data()), s.size()));
}

void ByteReader::fail(const std::string &what) const {
  throw SnapshotError(where_ + " at file offset " + hex(base_ + pos_) + ": " + what);
}

uint64_t ByteReader::get(int n, const char *what) {
  if (remaining() < static_cast<uint64_t>(n))
    fail(std::string("truncated: a ") + what + " needs " + std::to_string(n) + " bytes, " +
         std::to_string(remaining()) + " left");
  uint64_t v = 0;
  for (int i = 0; i < n; ++i)
    v |= static_cast<uint64_t>(data_[pos_ + i]) << (8 * i);
  pos_ += n;
  return v;
}

bool ByteReader::boolean() {
  uint8_t v = u8();
  if (v > 1) {
    --pos_;
    fail("a flag byte is " + std::to_string(v) + ", not 0 or 1");
  }
  return v != 0;
}

std::span<const uint8_t> ByteReader::raw(uint64_t n, const char *what) {
  if (remaining() < n)
    fail(std::string("truncated: ") + what + " needs " + std::to_string(n) + " bytes, " +
         std::to_string(remaining()) + " left");
  auto s = data_.subspan(pos_, n);
  pos_ += n;
  return s;
}

std::vector<uint8_t> ByteReader::blob(const char *what, uint64_t maxBytes) {
  uint32_t n = u32();
  if (n > maxBytes) {
    pos_ -= 4;
    fail(std::string(what) + " length " + std::to_string(n) + " exceeds the limit of " +
         std::to_string(maxBytes));
  }
  auto s = raw(n, what);
  return {s.begin(), s.end()};
}

std::string ByteReader::str(const char *what, uint64_t maxBytes) {
  auto b = blob(what, maxBytes);
  return {b.begin(), b.end()};
}

void ByteReader::expectEnd() const {
  if (remaining())
    fail(std::to_string(remaining()) + " unexpected trailing bytes");
}

} // namespace ringside::snapshot
