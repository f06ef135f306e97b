#include "guest_flags.h"

namespace ringside::cli {

LoadOptions loadOptionsFrom(const std::string &entry, const std::string &load) {
  LoadOptions options;
  if (!load.empty())
    options.loadAddress = parseAddress(load);
  if (!entry.empty())
    options.entryMode = parseEntryMode(entry);
  return options;
}

} // namespace ringside::cli
