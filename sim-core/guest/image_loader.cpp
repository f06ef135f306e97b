#include "guest/image_loader.h"

#include "errors.h"
#include "guest/elf_image.h"
#include "guest/include_jail.h"
#include "guest/nasm_assembler.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <regex>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace ringside {
namespace {

/// Lines of an .asm file searched for a `; ringside:` directive.
constexpr int kDirectiveLines = 30;

struct Directive {
  std::optional<EntryMode> entryMode;
  std::optional<uint64_t> loadAddress;
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::vector<uint8_t> readGuestFile(const std::string &path) {
  auto cannotOpen = [&](int error) {
    return InputError("cannot open guest '" + path + "': " + std::strerror(error));
  };
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw cannotOpen(errno);
  struct stat info {};
  if (fstat(fd, &info) != 0 || S_ISDIR(info.st_mode)) {
    int error = S_ISDIR(info.st_mode) ? EISDIR : errno;
    ::close(fd);
    throw cannotOpen(error);
  }
  std::vector<uint8_t> bytes;
  uint8_t buffer[65536];
  for (;;) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int error = errno;
      ::close(fd);
      throw cannotOpen(error);
    }
    if (n == 0)
      break;
    bytes.insert(bytes.end(), buffer, buffer + n);
  }
  ::close(fd);
  return bytes;
}

/// Applies one `key=value` of a directive; `where` is "file:line" for errors.
void applySetting(Directive &directive, const std::string &key, const std::string &value,
                  const std::string &where) {
  if (key == "entry") {
    directive.entryMode = parseEntryMode(lower(value));
    if (!directive.entryMode)
      throw InputError(where + ": unknown ringside entry mode '" + value +
                       "' (expected real, protected or long)");
  } else if (key == "load") {
    try {
      directive.loadAddress = parseAddress(value);
    } catch (const InputError &error) {
      throw InputError(where + ": bad ringside load address: " + error.what());
    }
  } else {
    throw InputError(where + ": unknown ringside setting '" + key +
                     "' (expected entry=real|protected|long or load=ADDRESS)");
  }
}

/// Finds `; ringside: entry=MODE [load=ADDR]` in the first lines of an .asm source.
Directive parseDirective(const std::string &path, const std::vector<uint8_t> &source) {
  static const std::regex kLine(R"(^\s*;\s*ringside\s*:(.*)$)", std::regex::icase);
  // Spaces around '=' are tolerated, so join them before splitting on whitespace.
  static const std::regex kEquals(R"(\s*=\s*)");
  Directive directive;
  std::istringstream lines(std::string(source.begin(), source.end()));
  std::string line;
  for (int number = 1; number <= kDirectiveLines && std::getline(lines, line); ++number) {
    if (!line.empty() && line.back() == '\r')
      line.pop_back();
    std::smatch match;
    if (!std::regex_match(line, match, kLine))
      continue;
    const std::string where = path + ":" + std::to_string(number);
    std::istringstream words(std::regex_replace(match[1].str(), kEquals, "="));
    std::string word;
    bool any = false;
    while (words >> word) {
      any = true;
      auto equals = word.find('=');
      if (equals == std::string::npos || equals == 0 || equals + 1 == word.size())
        throw InputError(where + ": ringside directive expects key=value, got '" + word + "'");
      applySetting(directive, lower(word.substr(0, equals)), word.substr(equals + 1), where);
    }
    if (!any)
      throw InputError(where + ": empty ringside directive (expected entry=real|protected|long)");
  }
  return directive;
}

bool isAssemblySource(const std::string &path) {
  return lower(std::filesystem::path(path).extension().string()) == ".asm";
}

GuestImage flatImage(const std::string &path, std::vector<uint8_t> bytes, uint64_t loadAddress) {
  GuestImage image;
  image.path = path;
  image.entry = loadAddress;
  ImageSegment segment;
  segment.gpa = loadAddress;
  segment.memSize = bytes.size();
  segment.bytes = std::move(bytes);
  image.segments.push_back(std::move(segment));
  return image;
}

GuestImage loadElf(const std::string &path, const std::vector<uint8_t> &bytes,
                   const LoadOptions &options) {
  if (options.loadAddress)
    throw InputError("guest '" + path +
                     "' is an ELF executable that loads at its own addresses; --load applies "
                     "only to .asm and .bin guests");
  return parseElfImage(path, bytes);
}

GuestImage loadAssembly(const std::string &path, const std::vector<uint8_t> &source,
                        const LoadOptions &options) {
  Directive directive = parseDirective(path, source);
  if (options.includeJail)
    checkIncludeDirectives(path, source, *options.includeJail);
  NasmOutput out = assembleWithNasm(path, defaultNasmPath(), options.includeJail);
  if (out.bytes.empty())
    throw InputError("guest '" + path + "': nasm produced no bytes (is the source empty?)");
  GuestImage image =
      flatImage(path, std::move(out.bytes),
                options.loadAddress.value_or(directive.loadAddress.value_or(kDefaultLoadAddress)));
  image.listing = std::move(out.listing);
  if (directive.entryMode) {
    image.entryMode = *directive.entryMode;
    image.entryModeFromFile = true;
  }
  return image;
}

} // namespace

uint64_t parseAddress(const std::string &text) {
  std::string_view digits = text;
  int base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    digits.remove_prefix(2);
    base = 16;
  }
  uint64_t value = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value, base);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size())
    throw InputError("invalid address '" + text + "' (expected e.g. 0x7c00 or 31744)");
  return value;
}

GuestImage loadGuestImage(const std::string &path, const LoadOptions &options) {
  std::vector<uint8_t> bytes = readGuestFile(path);
  GuestImage image;
  if (hasElfMagic(bytes)) {
    image = loadElf(path, bytes, options);
  } else if (isAssemblySource(path)) {
    image = loadAssembly(path, bytes, options);
  } else {
    if (bytes.empty())
      throw InputError("guest '" + path + "' is empty");
    image = flatImage(path, std::move(bytes), options.loadAddress.value_or(kDefaultLoadAddress));
  }
  if (options.entryMode) {
    // --entry wins over the file; the mode no longer comes from the file.
    image.entryMode = *options.entryMode;
    image.entryModeFromFile = false;
  }
  return image;
}

} // namespace ringside
