#include "lessons_command.h"

#include "errors.h"
#include "lessons/lesson_check.h"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace ringside::cli {
namespace {

namespace fs = std::filesystem;
using namespace ringside::lessons;

std::string findLessonDir(const std::string &root, const std::string &which) {
  if (fs::exists(fs::path(which) / "lesson.toml"))
    return which;
  for (const auto &dir : lessonDirs(root)) {
    std::string name = fs::path(dir).filename().string();
    if (name.rfind(which.size() == 1 ? "0" + which : which, 0) == 0)
      return dir;
  }
  throw InputError("no lesson '" + which + "' under " + root + " (ringside lessons lists them)");
}

} // namespace

void addLessonsCommands(CLI::App &app, LessonsOptions &list, LessonOptions &one) {
  auto *l = app.add_subcommand("lessons", "List the lessons; --check runs and verifies them all");
  l->add_option("--root", list.root, "the lessons folder");
  l->add_flag("--check", list.check,
              "run every lesson's guests and check its steps, checkpoints and expected events");
  l->add_flag("--json", list.json, "machine-readable output");
  auto *o = app.add_subcommand("lesson", "Run one lesson headless: its steps and checkpoints");
  o->add_option("LESSON", one.which, "the lesson's number (7) or folder")->required();
  o->add_option("--root", one.root, "the lessons folder");
  o->add_option("--lang", one.lang, "en or zh_CN")->check(CLI::IsMember({"en", "zh_CN"}));
}

int lessonsCommand(const LessonsOptions &o) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  bool broken = false, failed = false;
  for (const auto &dir : lessonDirs(o.root)) {
    nlohmann::ordered_json j;
    j["dir"] = dir;
    try {
      Lesson lesson = loadLesson(dir);
      j["id"] = lesson.id;
      j["title"] = {{"en", lesson.title.en}, {"zh_CN", lesson.title.zhCN}};
      j["guests"] = lesson.guests.size();
      j["steps"] = lesson.steps.size();
      j["checkpoints"] = lesson.checkpoints.size();
      j["expectations"] = lesson.expectations.size();
      if (!o.json)
        std::printf("%02u  %-48s %s\n", lesson.id, lesson.title.en.c_str(),
                    lesson.title.zhCN.c_str());
      if (o.check) {
        LessonReport report = checkLesson(lesson);
        auto &problems = j["problems"] = nlohmann::ordered_json::array();
        for (const auto &p : report.problems) {
          problems.push_back({{"where", p.where}, {"what", p.what}});
          if (!o.json)
            std::cerr << "  " << p.where << ": " << p.what << "\n";
        }
        j["skips"] = report.skips;
        if (!o.json)
          for (const auto &s : report.skips)
            std::cout << "    skipped: " << s << "\n";
        failed |= !report.ok();
        if (!o.json)
          std::cout << "    " << (report.ok() ? "ok" : "FAILED") << ": "
                    << lesson.expectations.size() << " expectations, " << lesson.checkpoints.size()
                    << " checkpoints, " << lesson.steps.size() << " steps\n";
      }
    } catch (const InputError &e) {
      broken = true;
      j["error"] = e.what();
      std::cerr << "ringside: " << e.what() << "\n";
    }
    out.push_back(j);
  }
  if (o.json)
    std::cout << out.dump() << "\n";
  return broken ? 2 : failed ? 1 : 0;
}

int lessonCommand(const LessonOptions &o) {
  try {
    Lesson lesson = loadLesson(findLessonDir(o.root, o.which));
    std::cout << "# " << lesson.title.in(o.lang) << "\n\n";
    const auto &objectives = o.lang == "zh_CN" ? lesson.objectivesZhCN : lesson.objectivesEn;
    for (const auto &line : objectives)
      std::cout << "- " << line << "\n";
    std::map<std::string, GuestOutcome> runs;
    auto runOf = [&](const std::string &name) -> const GuestOutcome & {
      auto it = runs.find(name);
      if (it == runs.end())
        it = runs.emplace(name, runLessonGuest(*lesson.guest(name))).first;
      return it->second;
    };
    for (size_t i = 0; i < lesson.steps.size(); ++i) {
      const auto &s = lesson.steps[i];
      const auto &run = runOf(s.guest);
      std::cout << "\n## Step " << i + 1 << " (" << s.view << " view)";
      if (s.runTo) {
        size_t at = findEvent(*s.runTo, run.events);
        if (at < run.events.size())
          std::cout << ": at event " << run.events[at].seq << ", " << s.runTo->text;
        else
          std::cout << ": " << s.runTo->text << " never happens";
      }
      std::cout << "\n" << s.text.in(o.lang) << "\n";
    }
    for (size_t i = 0; i < lesson.checkpoints.size(); ++i) {
      const auto &c = lesson.checkpoints[i];
      std::cout << "\n## Checkpoint " << i + 1 << "\n" << c.question.in(o.lang) << "\n";
      for (const auto &choice : c.choices)
        std::cout << "  - " << choice << "\n";
      std::cout << "answer (from the trace): " << traceAnswer(c, runOf(c.guest).events) << "\n";
      if (!c.explain.in(o.lang).empty())
        std::cout << c.explain.in(o.lang) << "\n";
    }
    for (const auto &[name, run] : runs)
      std::cout << "\n-- " << name << " on " << run.backend << ": "
                << stopKindName(run.result.stop.kind) << ", " << run.events.size() << " events\n";
  } catch (const InputError &e) {
    std::cerr << "ringside: " << e.what() << "\n";
    return 2;
  }
  return 0;
}

} // namespace ringside::cli
