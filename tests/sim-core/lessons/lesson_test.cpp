// Lesson manifests: parsing with file/line/key errors, and checking against real runs.
#include "lessons/lesson_check.h"

#include "errors.h"
#include "test_paths.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace ringside::test {
namespace {

using namespace ringside::lessons;
namespace fs = std::filesystem;

const fs::path kGood = sourceDir() / "tests" / "lessons" / "good";

// A copy of the good lesson with one manifest line replaced (or appended).
std::string brokenLesson(const std::string &name, const std::string &from, const std::string &to) {
  fs::path dir = scratchDir("lesson_" + name) / "01-hello";
  fs::create_directories(dir);
  for (const char *f : {"en.md", "zh_CN.md"})
    fs::copy_file(kGood / "01-hello" / f, dir / f, fs::copy_options::overwrite_existing);
  std::ifstream in(kGood / "01-hello" / "lesson.toml");
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text.replace(text.find("../../../../lessons"), 19, (sourceDir() / "lessons").string());
  text.replace(text.find("../../../../lessons"), 19, (sourceDir() / "lessons").string());
  if (from.empty())
    text += to;
  else
    text.replace(text.find(from), from.size(), to);
  writeFile(dir / "lesson.toml", text);
  return dir.string();
}

std::string errorOf(const std::string &dir) {
  try {
    loadLesson(dir);
  } catch (const InputError &e) {
    return e.what();
  }
  return "";
}

TEST(Lesson, LoadsEveryForm) {
  auto dirs = lessonDirs(kGood.string());
  ASSERT_EQ(dirs.size(), 1u);
  Lesson l = loadLesson(dirs[0]);
  EXPECT_EQ(l.id, 1u);
  EXPECT_EQ(l.title.zhCN, "你好，客户机");
  EXPECT_EQ(l.guests.size(), 2u);
  EXPECT_EQ(l.guests[1].vmxSet.size(), 1u);
  EXPECT_EQ(l.steps.size(), 1u);
  EXPECT_EQ(l.checkpoints.size(), 2u);
  EXPECT_EQ(l.expectations.size(), 5u);
}

TEST(Lesson, TheGoodLessonChecksAgainstItsTrace) {
  Lesson l = loadLesson((kGood / "01-hello").string());
  LessonReport r = checkLesson(l);
  for (const auto &p : r.problems)
    ADD_FAILURE() << p.where << ": " << p.what;
  EXPECT_TRUE(r.ok());
}

TEST(Lesson, WrongAnswersAndExpectationsAreReported) {
  Lesson l = loadLesson(brokenLesson("wrong", "answer = \"30\"", "answer = \"29\""));
  LessonReport r = checkLesson(l);
  ASSERT_EQ(r.problems.size(), 1u);
  EXPECT_NE(r.problems[0].where.find("checkpoint[0].answer"), std::string::npos);
  EXPECT_NE(r.problems[0].what.find("the trace says '30'"), std::string::npos);

  Lesson never = loadLesson(brokenLesson("never", "run_to = \"exit[reason=IO_INSTRUCTION]\"",
                                         "run_to = \"exit[reason=CPUID]\""));
  LessonReport r2 = checkLesson(never);
  ASSERT_EQ(r2.problems.size(), 1u);
  EXPECT_NE(r2.problems[0].what.find("never happens"), std::string::npos);
}

TEST(Lesson, BrokenManifestsNameFileLineAndKey) {
  EXPECT_NE(errorOf(brokenLesson("view", "view = \"timeline\"", "view = \"tiemline\""))
                .find("lesson.toml:20: step[0].view: unknown view 'tiemline'"),
            std::string::npos);
  EXPECT_NE(errorOf(brokenLesson("selector", "events = \"exit[reason=HLT]\"\ncount = 1",
                                 "events = \"exit[reasn=HLT]\"\ncount = 1"))
                .find("expect[0].events"),
            std::string::npos);
  EXPECT_NE(errorOf(brokenLesson("guest", "name = \"hello\"\n", "name = \"hello\"\nfile2 = 1\n"))
                .find("guest[0].file2: unknown key"),
            std::string::npos);
  EXPECT_NE(errorOf(brokenLesson("lang", ", zh_CN = \"你好，客户机\" }", " }"))
                .find("title.zh_CN: missing"),
            std::string::npos);
  EXPECT_NE(errorOf(brokenLesson("missing", "file = \"", "file = \"nope/"))
                .find("guest[0].file: no such file"),
            std::string::npos);
  EXPECT_NE(errorOf(brokenLesson("choice", "answer = \"HLT\"", "answer = \"MWAIT\""))
                .find("not one of the choices"),
            std::string::npos);
  EXPECT_NE(errorOf(brokenLesson("walkrefs", "answer_count = \"exit[reason=IO_INSTRUCTION]\"",
                                 "answer_walk_refs = \"exit[reason=HLT]\""))
                .find("checkpoint[0].answer_walk_refs: expected a walk selector"),
            std::string::npos);
  EXPECT_NE(errorOf(brokenLesson("twoanswers", "answer_count = \"exit[reason=IO_INSTRUCTION]\"",
                                 "answer_count = \"exit\"\nanswer_walk_refs = \"walk\""))
                .find("give exactly one of answer_count, answer_field and answer_walk_refs"),
            std::string::npos);
}

TEST(Lesson, ContainerGuestsNameABuiltInWorkload) {
  const std::string guest = "\n[[guest]]\nname = \"box\"\nbackend = \"container\"\n";
  Lesson l = loadLesson(brokenLesson("box", "", guest + "workload = \"hello\"\n"));
  ASSERT_EQ(l.guests.size(), 3u);
  EXPECT_EQ(l.guests[2].workload, "hello");
  EXPECT_EQ(l.guests[2].file, "");
  EXPECT_NE(errorOf(brokenLesson("box_missing", "", guest)).find("guest[2].workload: missing"),
            std::string::npos);
  EXPECT_NE(errorOf(brokenLesson("box_bad", "", guest + "workload = \"fork-bomb\"\n"))
                .find("expected hello or demo"),
            std::string::npos);
}

} // namespace
} // namespace ringside::test
