#pragma once
// Reads one TOML table (toml++) for a spec file: typed accessors that name the file, the line
// and the key path in every error, and a finish() that rejects keys nobody read, so a misspelt
// key is an error rather than silently ignored. Used by lab specs and lesson manifests.
#include "errors.h"

#include <toml++/toml.h>

#include <cmath>
#include <cstdint>
#include <optional>
#include <set>
#include <sstream>
#include <string>

namespace ringside {

class TomlTable {
public:
  TomlTable(const toml::table &t, std::string where, const std::string &file)
      : t_(t), where_(std::move(where)), file_(file) {}

  [[noreturn]] void fail(const std::string &key, const std::string &why) const {
    const toml::node *n = t_.get(key);
    const auto &src = n ? n->source() : t_.source();
    std::ostringstream msg;
    msg << file_;
    if (src.begin.line)
      msg << ":" << src.begin.line;
    msg << ": " << keyPath(key) << ": " << why;
    throw InputError(msg.str());
  }
  std::string keyPath(const std::string &key) const {
    return where_.empty() ? key : where_ + "." + key;
  }

  bool has(const std::string &key) {
    used_.insert(key);
    return t_.contains(key);
  }
  const toml::node *node(const std::string &key) {
    used_.insert(key);
    return t_.get(key);
  }

  std::optional<std::string> text(const std::string &key) {
    const toml::node *n = node(key);
    if (!n)
      return std::nullopt;
    if (!n->is_string())
      fail(key, "expected a string");
    return n->value<std::string>();
  }
  std::string requiredText(const std::string &key) {
    auto v = text(key);
    if (!v)
      fail(key, "missing (required)");
    return *v;
  }
  std::optional<uint64_t> number(const std::string &key) {
    const toml::node *n = node(key);
    if (!n)
      return std::nullopt;
    return toNumber(key, *n);
  }
  uint64_t toNumber(const std::string &key, const toml::node &n) const {
    if (n.is_integer()) {
      int64_t v = *n.value<int64_t>();
      // A negative number means its two's complement (so -1 is all ones, as in assembly).
      return static_cast<uint64_t>(v);
    }
    if (n.is_string()) {
      // Numbers above 2^63 do not fit TOML integers: accept them as "0x…" strings.
      const std::string s = *n.value<std::string>();
      uint64_t v = 0;
      size_t used = 0;
      try {
        v = std::stoull(s, &used, 0);
      } catch (const std::exception &) {
        used = 0;
      }
      if (used == s.size() && used)
        return v;
    }
    fail(key, "expected an integer (or a \"0x…\" string for values above 2^63)");
  }
  std::optional<double> real(const std::string &key) {
    const toml::node *n = node(key);
    if (!n)
      return std::nullopt;
    if (!n->is_number())
      fail(key, "expected a number");
    double v = *n->value<double>();
    if (!std::isfinite(v) || v < 0)
      fail(key, "expected a non-negative number");
    return v;
  }
  std::optional<bool> flag(const std::string &key) {
    const toml::node *n = node(key);
    if (!n)
      return std::nullopt;
    if (!n->is_boolean())
      fail(key, "expected true or false");
    return *n->value<bool>();
  }
  const toml::table *subtable(const std::string &key) {
    const toml::node *n = node(key);
    if (!n)
      return nullptr;
    if (!n->is_table())
      fail(key, "expected a table");
    return n->as_table();
  }
  const toml::array *array(const std::string &key) {
    const toml::node *n = node(key);
    if (!n)
      return nullptr;
    if (!n->is_array())
      fail(key, "expected an array");
    return n->as_array();
  }
  /// Every key must have been read: a misspelt key is an error, not silently ignored.
  void finish() const {
    for (const auto &[key, value] : t_) {
      (void)value;
      const std::string k(key.str());
      if (!used_.count(k))
        fail(k, "unknown key");
    }
  }

  const std::string &file() const { return file_; }
  const std::string &where() const { return where_; }

private:
  const toml::table &t_;
  std::string where_;
  const std::string &file_;
  std::set<std::string> used_;
};

/// Parses a TOML document; a syntax error is an InputError naming file:line.
toml::table parseTomlText(const std::string &text, const std::string &path);
toml::table parseTomlFile(const std::string &path);

} // namespace ringside
