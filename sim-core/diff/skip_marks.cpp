#include "diff/skip_marks.h"

#include "errors.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

namespace ringside::diff {
namespace {

// Kernel module that identifies each flavour, in probe order.
struct Flavour {
  const char *name;
  const char *module;
};
constexpr std::array kFlavours{Flavour{"pvm", "kvm_pvm"}, Flavour{"vmx", "kvm_intel"},
                               Flavour{"svm", "kvm_amd"}};

bool knownFlavour(const std::string &name) {
  return std::any_of(kFlavours.begin(), kFlavours.end(),
                     [&](const Flavour &f) { return name == f.name; });
}

std::vector<std::string> splitCommas(const std::string &text) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');)
    parts.push_back(part);
  return parts;
}

} // namespace

std::vector<SkipMark> parseSkipMarks(const std::string &source, const std::string &path) {
  static const std::regex kLine(R"(^\s*;\s*diff:(.*)$)");
  static const std::regex kPair(R"re(\s*([a-z-]+)=("([^"]*)"|\S+))re");
  std::vector<SkipMark> marks;
  std::stringstream in(source);
  int lineNo = 0;
  for (std::string line; std::getline(in, line);) {
    ++lineNo;
    std::smatch m;
    if (!std::regex_match(line, m, kLine))
      continue;
    auto where = path + ":" + std::to_string(lineNo);
    SkipMark mark;
    mark.line = lineNo;
    std::string rest = m[1];
    std::smatch kv;
    while (std::regex_search(rest, kv, kPair, std::regex_constants::match_continuous)) {
      std::string key = kv[1], value = kv[3].matched ? kv[3].str() : kv[2].str();
      if (key == "skip-on") {
        mark.flavours = splitCommas(value);
        for (const auto &f : mark.flavours)
          if (!knownFlavour(f))
            throw InputError(where + ": unknown host flavour '" + f + "' (pvm, vmx or svm)");
      } else if (key == "reason") {
        mark.reason = value;
      } else {
        throw InputError(where + ": unknown diff key '" + key + "' (skip-on, reason)");
      }
      rest = kv.suffix();
    }
    if (rest.find_first_not_of(" \t\r") != std::string::npos)
      throw InputError(where + ": cannot read '" + rest + "' (expected key=value)");
    if (mark.flavours.empty() || mark.reason.empty())
      throw InputError(where + ": a diff mark needs skip-on=FLAVOURS and reason=\"…\"");
    marks.push_back(std::move(mark));
  }
  return marks;
}

std::vector<SkipMark> readSkipMarks(const std::string &path) {
  if (std::filesystem::path(path).extension() != ".asm")
    return {};
  std::ifstream in(path);
  if (!in)
    throw InputError(path + ": cannot read the file");
  std::stringstream text;
  text << in.rdbuf();
  return parseSkipMarks(text.str(), path);
}

std::optional<SkipMark> skipFor(const std::vector<SkipMark> &marks, const std::string &flavour) {
  for (const auto &m : marks)
    if (std::find(m.flavours.begin(), m.flavours.end(), flavour) != m.flavours.end())
      return m;
  return std::nullopt;
}

std::string kvmHostFlavour() {
  std::error_code ec;
  for (const auto &f : kFlavours)
    if (std::filesystem::exists(std::string("/sys/module/") + f.module, ec))
      return f.name;
  return {};
}

} // namespace ringside::diff
