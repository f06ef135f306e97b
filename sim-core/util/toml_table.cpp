#include "util/toml_table.h"

#include <fstream>

namespace ringside {

toml::table parseTomlText(const std::string &text, const std::string &path) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error &e) {
    throw InputError(path + ":" + std::to_string(e.source().begin.line) + ": " +
                     std::string(e.description()));
  }
}

toml::table parseTomlFile(const std::string &path) {
  std::ifstream in(path);
  if (!in)
    throw InputError("cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return parseTomlText(text.str(), path);
}

} // namespace ringside
