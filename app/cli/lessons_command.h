#pragma once
// `ringside lessons [--check] [--json]` lists the lessons (and checks every one against real
// runs); `ringside lesson N [--lang zh_CN]` runs one headless and prints its steps at the
// events they stop at and its checkpoints with the answers the trace gives.
#include <CLI/CLI.hpp>

#include <string>

namespace ringside::cli {

struct LessonsOptions {
  std::string root = "lessons";
  bool check = false;
  bool json = false;
};

struct LessonOptions {
  std::string which; ///< a number or a folder
  std::string root = "lessons";
  std::string lang = "en";
};

void addLessonsCommands(CLI::App &app, LessonsOptions &list, LessonOptions &one);
/// 0 all fine; 1 (with --check) some lesson failed its checks; 2 a manifest is broken.
int lessonsCommand(const LessonsOptions &options);
int lessonCommand(const LessonOptions &options);

} // namespace ringside::cli
