#pragma once
// A lesson as its folder describes it (docs/lesson-format.md): the manifest `lesson.toml` with
// titles, objectives, guests, steps, checkpoints and expected events, and the lesson text in
// English and Chinese. Parsing checks the manifest's form (every error names the file, line and
// key); lesson_check.h checks it against real runs.
#include "grading/event_query.h"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ringside::lessons {

/// A string people read, in both languages.
struct Text {
  std::string en, zhCN;
  const std::string &in(std::string_view lang) const { return lang == "zh_CN" ? zhCN : en; }
};

struct LessonGuest {
  std::string name;
  std::string file;            ///< absolute path ("" for a container)
  std::string backend = "emu"; ///< emu, kvm, auto, or container (a real container, no VM)
  std::string workload;        ///< backend container: hello or demo (containers/box_workload.h)
  std::string virt = "vtx";
  std::string profile;        ///< "" = kvm-like
  std::string mmu = "native"; ///< native | shadow | ept (--mmu)
  std::vector<std::string> vmxSet;
  uint64_t maxInsns = 10'000'000;
  uint64_t memMiB = 16;
  /// snapshot_at = N: run to N, save a snapshot, restore it in a fresh backend and run on; the
  /// checked trace is both parts (docs/lesson-format.md, docs/snapshots.md).
  uint64_t snapshotAt = 0;
  /// migrate_at = N: run N instructions, then live-migrate by pre-copy to a second backend
  /// (bandwidth MiB/s, guest_mips) and run on there.
  uint64_t migrateAt = 0;
  uint64_t bandwidthMiBps = 256;
  uint64_t guestMips = 50;
};

struct Step {
  std::string guest; ///< resolved: never empty
  std::optional<EventQuery> runTo;
  std::string view;
  Text text;
};

struct Checkpoint {
  std::string guest;
  Text question;
  std::vector<std::string> choices;
  std::optional<EventQuery> answerCount; ///< the answer is how many events match
  /// … or the memory references of the (2-D) walk the first match belongs to: the sum of `refs`
  /// over the walk events sharing its walk_id (its own refs when it stands alone)
  std::optional<EventQuery> answerWalkRefs;
  std::optional<EventQuery> answerEvent; ///< … or a field of the first match
  std::string answerField;
  std::string answer; ///< the expected answer
  Text explain;
};

struct Expectation {
  std::string guest;
  std::optional<EventQuery> events;
  std::optional<uint64_t> count, min, max;
  std::vector<EventQuery> sequence;
  std::optional<std::string> console;
  std::optional<std::string> stop;
  std::optional<int64_t> code;
  std::string where; ///< "lesson.toml:LINE expect[N]" for messages
};

struct Lesson {
  std::string dir;      ///< the lesson folder
  std::string manifest; ///< its lesson.toml
  unsigned id = 0;
  std::string slug;
  Text title;
  std::vector<std::string> objectivesEn, objectivesZhCN;
  unsigned minutes = 0;
  std::vector<std::string> requires_;
  std::string textEn, textZhCN; ///< paths of en.md / zh_CN.md
  std::vector<LessonGuest> guests;
  std::vector<Step> steps;
  std::vector<Checkpoint> checkpoints;
  std::vector<Expectation> expectations;

  const LessonGuest *guest(const std::string &name) const;
};

/// The views a step may name (the app's docks).
std::span<const std::string_view> lessonViews();

/// Reads `dir/lesson.toml`. Throws InputError naming the file, line and key.
Lesson loadLesson(const std::string &dir);

/// Lesson folders under `root` (`NN-slug` with a lesson.toml), sorted by number.
std::vector<std::string> lessonDirs(const std::string &root);

} // namespace ringside::lessons
