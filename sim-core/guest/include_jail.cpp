#include "guest/include_jail.h"

#include "errors.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <filesystem>
#include <sstream>

namespace ringside {
namespace {

namespace fs = std::filesystem;

// nasm directives and pseudo-instructions that read a file named by their argument.
constexpr std::array kFileDirectives = {"%include", "incbin", "%pathsearch", "%depend"};

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

/// The line without its comment (a ';' outside quotes).
std::string code(const std::string &line) {
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quote) {
      if (c == quote)
        quote = 0;
    } else if (c == '"' || c == '\'' || c == '`') {
      quote = c;
    } else if (c == ';') {
      return line.substr(0, i);
    }
  }
  return line;
}

bool insideJail(const fs::path &file, const std::string &jailDir) {
  if (jailDir.empty())
    return false;
  std::error_code ec;
  const fs::path jail = fs::weakly_canonical(fs::absolute(jailDir), ec);
  const fs::path target = fs::weakly_canonical(fs::absolute(file), ec);
  if (ec)
    return false;
  auto j = jail.begin(), t = target.begin();
  for (; j != jail.end(); ++j, ++t)
    if (t == target.end() || *t != *j)
      return false;
  return true;
}

/// Position of a directive word in `text` as a whole token, or npos.
size_t findWord(const std::string &text, const std::string &word) {
  for (size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
    const bool startOk =
        at == 0 || std::isspace(static_cast<unsigned char>(text[at - 1])) || text[at - 1] == ':';
    const size_t end = at + word.size();
    const bool endOk = end == text.size() || std::isspace(static_cast<unsigned char>(text[end])) ||
                       text[end] == '"' || text[end] == '\'' || text[end] == '<';
    if (startOk && endOk)
      return at;
  }
  return std::string::npos;
}

} // namespace

void checkIncludeDirectives(const std::string &sourcePath, const std::vector<uint8_t> &source,
                            const std::string &jailDir) {
  std::istringstream lines(std::string(source.begin(), source.end()));
  std::string line;
  const fs::path sourceDir = fs::path(sourcePath).parent_path();
  for (int number = 1; std::getline(lines, line); ++number) {
    const std::string text = lower(code(line));
    for (const char *directive : kFileDirectives) {
      const size_t at = findWord(text, directive);
      if (at == std::string::npos)
        continue;
      const std::string where = sourcePath + ":" + std::to_string(number) + ": " + directive;
      if (jailDir.empty())
        throw InputError(where + " refused: this submission may not read other files");
      // The argument, as written (original case): a quoted or <bracketed> literal.
      std::string rest = code(line).substr(at + std::string(directive).size());
      rest.erase(0, rest.find_first_not_of(" \t"));
      const char open = rest.empty() ? '\0' : rest[0];
      const char close = open == '<' ? '>' : open;
      const size_t end = (open == '"' || open == '\'' || open == '`' || open == '<')
                             ? rest.find(close, 1)
                             : std::string::npos;
      if (end == std::string::npos)
        throw InputError(where + " refused: the file name must be a plain quoted name (no macros)");
      const std::string name = rest.substr(1, end - 1);
      const fs::path named(name);
      bool climbs = false;
      for (const auto &part : named)
        climbs |= part == "..";
      if (name.empty() || named.is_absolute() || climbs || name.find('%') != std::string::npos ||
          !insideJail(sourceDir / named, jailDir))
        throw InputError(where + " of '" + name +
                         "' refused: only files inside the submission may be read");
    }
  }
}

std::vector<std::string> parseMakeDependencies(const std::string &depText) {
  std::vector<std::string> words;
  std::string word;
  bool afterColon = false;
  auto flush = [&] {
    if (!word.empty() && afterColon)
      words.push_back(word);
    word.clear();
  };
  for (size_t i = 0; i < depText.size(); ++i) {
    const char c = depText[i];
    if (c == '\\' && i + 1 < depText.size()) {
      const char n = depText[i + 1];
      if (n == '\n') { // line continuation
        ++i;
        flush();
        continue;
      }
      if (n == ' ' || n == '#' || n == '\\' || n == '\t') {
        word += n;
        ++i;
        continue;
      }
      word += c;
    } else if (c == '$' && i + 1 < depText.size() && depText[i + 1] == '$') {
      word += '$';
      ++i;
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      flush();
    } else if (c == ':' && !afterColon &&
               (i + 1 == depText.size() || depText[i + 1] == ' ' || depText[i + 1] == '\n')) {
      word.clear(); // the target
      afterColon = true;
    } else {
      word += c;
    }
  }
  flush();
  return words;
}

void checkNasmDependencies(const std::string &sourcePath, const std::string &depText,
                           const std::string &jailDir) {
  std::error_code ec;
  const fs::path source = fs::weakly_canonical(fs::absolute(sourcePath), ec);
  for (const auto &dep : parseMakeDependencies(depText)) {
    if (fs::weakly_canonical(fs::absolute(dep), ec) == source)
      continue;
    if (!insideJail(dep, jailDir))
      throw InputError(sourcePath + ": nasm read '" + dep +
                       "', outside the submission: refused (only files inside the submission "
                       "may be read)");
  }
}

} // namespace ringside
