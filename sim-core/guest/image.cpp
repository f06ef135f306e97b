#include "guest/image.h"

namespace ringside {

const char *entryModeName(EntryMode mode) {
  switch (mode) {
  case EntryMode::Real:
    return "real";
  case EntryMode::Protected:
    return "protected";
  case EntryMode::Long:
    return "long";
  }
  return "?";
}

std::optional<EntryMode> parseEntryMode(const std::string &text) {
  for (auto mode : {EntryMode::Real, EntryMode::Protected, EntryMode::Long})
    if (text == entryModeName(mode))
      return mode;
  return std::nullopt;
}

} // namespace ringside
