#include "core/source_map.h"

#include <cctype>
#include <regex>
#include <sstream>

namespace ringside::desktop {

SourceMap SourceMap::fromNasmListing(const std::string &listing, uint64_t base) {
  // A listing line is "<line> <offset> <hex bytes> <source>"; lines that emit nothing have no
  // offset, and a long data line continues on lines whose hex ends with "-".
  static const std::regex row(R"(^\s*(\d+)\s+([0-9A-Fa-f]{8})\s+([0-9A-Fa-f\[\]()]+)(?:-|\s|$))");
  SourceMap map;
  std::istringstream in(listing);
  std::string text;
  while (std::getline(in, text)) {
    std::smatch m;
    if (!std::regex_search(text, m, row))
      continue;
    const int line = std::stoi(m[1].str());
    const uint64_t offset = std::stoull(m[2].str(), nullptr, 16);
    std::string bytes = m[3].str();
    uint64_t length = 0;
    for (char c : bytes)
      length += std::isxdigit(static_cast<unsigned char>(c)) ? 1 : 0;
    length /= 2;
    if (length == 0)
      continue;
    map.byAddress_[base + offset] = Span{length, line};
  }
  return map;
}

int SourceMap::lineOf(uint64_t address) const {
  auto it = byAddress_.upper_bound(address);
  if (it == byAddress_.begin())
    return 0;
  --it;
  return address < it->first + it->second.length ? it->second.line : 0;
}

} // namespace ringside::desktop
