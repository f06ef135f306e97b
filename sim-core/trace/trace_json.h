#pragma once
// The trace's JSON Lines form (docs/trace-format.md): one object per event, keys in a fixed
// order, every number an integer. The CLI writes it, the grader and tests read it back.
#include "trace/events.h"

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace ringside {

/// The event as an ordered object: "seq", "icount", "kind", then the kind's fields.
nlohmann::ordered_json toJson(const Event &event);
/// One compact line, without the trailing newline. Invalid UTF-8 in text becomes U+FFFD.
std::string toJsonLine(const Event &event);

/// Reads an object written by toJson back. Derived fields (reason_name, name) are ignored.
/// Throws InputError naming the missing or bad field.
Event fromJson(const nlohmann::json &object);
/// Parses one line of text; throws InputError when it is not JSON or not an event.
Event fromJsonLine(std::string_view line);
/// Reads a whole .jsonl file (blank lines are skipped); errors name the file and line.
std::vector<Event> readJsonl(const std::filesystem::path &path);

/// A trace listener that writes one line per event to a file. Copies share the file, so it can
/// be passed straight to Trace::addListener. Flushes on each stop event and when the last copy
/// goes away.
class JsonlWriter {
public:
  /// Creates or truncates the file; throws InputError if it cannot be opened.
  explicit JsonlWriter(const std::filesystem::path &path);

  /// Throws InputError if the file can no longer be written.
  void operator()(const Event &event);
  void flush();

  const std::filesystem::path &path() const;

private:
  struct File;
  std::shared_ptr<File> file_;
};

} // namespace ringside
