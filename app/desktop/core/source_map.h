#pragma once
// Guest address ↔ source line, from the nasm listing the image loader keeps. It lets the
// editor highlight the instruction an event's RIP names.
#include <cstdint>
#include <map>
#include <string>

namespace ringside::desktop {

class SourceMap {
public:
  /// `base` is the guest address of the listing's offset 0 (the load address of a flat image).
  static SourceMap fromNasmListing(const std::string &listing, uint64_t base);

  /// 1-based source line of the instruction that covers `address`, or 0 when unknown.
  int lineOf(uint64_t address) const;
  bool empty() const { return byAddress_.empty(); }

private:
  struct Span {
    uint64_t length;
    int line;
  };
  std::map<uint64_t, Span> byAddress_; ///< start address → bytes and line
};

} // namespace ringside::desktop
