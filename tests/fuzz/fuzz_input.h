#pragma once
// Shared pieces of the fuzz harnesses: a reader that turns the fuzzer's bytes into typed values
// (running out of bytes gives zeros, so every input is usable), and the invariant check. The
// harnesses compile with gcc too, because tests/sim-core/fuzz_regressions_test.cpp replays them.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace ringside::fuzz {

/// A broken invariant: libFuzzer reports the uncaught exception as a crash, GoogleTest as a
/// failure.
class InvariantError : public std::logic_error {
public:
  using std::logic_error::logic_error;
};

inline void check(bool holds, const std::string &what) {
  if (!holds)
    throw InvariantError("fuzz invariant broken: " + what);
}

class FuzzInput {
public:
  FuzzInput(const uint8_t *data, size_t size) : data_(data), size_(size) {}

  /// Little-endian value of sizeof(T) bytes (zeros past the end).
  template <typename T> T take() {
    uint64_t value = 0;
    for (size_t i = 0; i < sizeof(T); ++i)
      value |= uint64_t{next()} << (8 * i);
    return static_cast<T>(value);
  }
  bool takeBool() { return (next() & 1) != 0; }
  /// Everything not consumed yet.
  std::vector<uint8_t> rest() {
    std::vector<uint8_t> out(data_ + pos_, data_ + size_);
    pos_ = size_;
    return out;
  }

private:
  uint8_t next() { return pos_ < size_ ? data_[pos_++] : 0; }

  const uint8_t *data_;
  size_t size_;
  size_t pos_ = 0;
};

} // namespace ringside::fuzz
