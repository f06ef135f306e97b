#pragma once
// The flags every command that runs a guest shares: --entry and --load, turned into loader
// options (InputError for bad values).
#include "guest/image_loader.h"

#include <string>

namespace ringside::cli {

LoadOptions loadOptionsFrom(const std::string &entry, const std::string &load);

} // namespace ringside::cli
