#include "lessons/lesson.h"

#include "errors.h"
#include "util/toml_table.h"
#include "vmm/technique.h"

#include <algorithm>
#include <array>
#include <filesystem>

namespace ringside::lessons {
namespace {

namespace fs = std::filesystem;

constexpr std::array<std::string_view, 6> kViews = {"rings",     "timeline", "vmcs",
                                                    "registers", "devices",  "pagewalk"};
constexpr std::array<std::string_view, 4> kBackends = {"emu", "kvm", "auto", "container"};

Text readText(TomlTable &t, const std::string &key, bool required = true) {
  const toml::table *sub = t.subtable(key);
  if (!sub) {
    if (required)
      t.fail(key, "missing: a table { en = \"…\", zh_CN = \"…\" }");
    return {};
  }
  TomlTable s(*sub, t.keyPath(key), t.file());
  Text text{s.requiredText("en"), s.requiredText("zh_CN")};
  s.finish();
  return text;
}

// A string, or an integer taken as its decimal text (answers and choices may be counts).
std::optional<std::string> asText(const toml::node &n) {
  if (n.is_string())
    return *n.value<std::string>();
  if (n.is_integer())
    return std::to_string(*n.value<int64_t>());
  return std::nullopt;
}

std::vector<std::string> readStrings(TomlTable &t, const std::string &key, bool numbers = false) {
  std::vector<std::string> out;
  if (const toml::array *a = t.array(key))
    for (const auto &item : *a) {
      auto text = numbers ? asText(item) : item.value<std::string>();
      if (!text)
        t.fail(key, numbers ? "expected an array of strings or integers"
                            : "expected an array of strings");
      out.push_back(*text);
    }
  return out;
}

EventQuery selector(TomlTable &t, const std::string &key, const std::string &text) {
  try {
    return parseEventQuery(text);
  } catch (const InputError &e) {
    t.fail(key, e.what());
  }
}

std::optional<EventQuery> optionalSelector(TomlTable &t, const std::string &key) {
  if (auto text = t.text(key))
    return selector(t, key, *text);
  return std::nullopt;
}

// The guest a step, checkpoint or expectation refers to: named, or the only one there is.
std::string guestFor(TomlTable &t, const Lesson &l) {
  if (auto name = t.text("guest")) {
    if (!l.guest(*name))
      t.fail("guest", "no [[guest]] is named '" + *name + "'");
    return *name;
  }
  if (l.guests.size() != 1)
    t.fail("guest", "missing: the lesson has several guests, say which one");
  return l.guests.front().name;
}

template <typename F> void eachTable(TomlTable &top, const std::string &key, F f) {
  const toml::array *a = top.array(key);
  if (!a)
    return;
  size_t i = 0;
  for (const auto &item : *a) {
    if (!item.is_table())
      top.fail(key, "expected [[" + key + "]] tables");
    TomlTable t(*item.as_table(), key + "[" + std::to_string(i++) + "]", top.file());
    f(t);
    t.finish();
  }
}

} // namespace

const LessonGuest *Lesson::guest(const std::string &name) const {
  for (const auto &g : guests)
    if (g.name == name)
      return &g;
  return nullptr;
}

std::span<const std::string_view> lessonViews() { return kViews; }

Lesson loadLesson(const std::string &dir) {
  Lesson l;
  l.dir = fs::absolute(dir).lexically_normal().string();
  l.manifest = (fs::path(l.dir) / "lesson.toml").string();
  toml::table root = parseTomlFile(l.manifest);
  TomlTable top(root, "", l.manifest);

  auto id = top.number("id");
  if (!id || *id > 99)
    top.fail("id", "missing or not a lesson number 0-99");
  l.id = static_cast<unsigned>(*id);
  l.slug = top.requiredText("slug");
  l.title = readText(top, "title");
  if (const toml::table *obj = top.subtable("objectives")) {
    TomlTable o(*obj, "objectives", l.manifest);
    l.objectivesEn = readStrings(o, "en");
    l.objectivesZhCN = readStrings(o, "zh_CN");
    if (l.objectivesEn.empty() || l.objectivesEn.size() != l.objectivesZhCN.size())
      o.fail("en", "objectives need the same non-empty list in en and zh_CN");
    o.finish();
  } else {
    top.fail("objectives", "missing: { en = [\"…\"], zh_CN = [\"…\"] }");
  }
  l.minutes = static_cast<unsigned>(top.number("minutes").value_or(0));
  l.requires_ = readStrings(top, "requires");
  for (const char *lang : {"en", "zh_CN"}) {
    auto path = fs::path(l.dir) / (std::string(lang) + ".md");
    if (!fs::exists(path))
      throw InputError(l.manifest + ": the lesson text " + path.string() + " is missing");
    (std::string_view(lang) == "en" ? l.textEn : l.textZhCN) = path.string();
  }

  eachTable(top, "guest", [&](TomlTable &t) {
    LessonGuest g;
    g.name = t.requiredText("name");
    if (l.guest(g.name))
      t.fail("name", "two guests are named '" + g.name + "'");
    g.backend = t.text("backend").value_or("emu");
    if (std::find(kBackends.begin(), kBackends.end(), g.backend) == kBackends.end())
      t.fail("backend", "expected emu, kvm, auto or container");
    if (g.backend == "container") { // a workload built into Ringside, not a guest file
      g.workload = t.requiredText("workload");
      if (g.workload != "hello" && g.workload != "demo")
        t.fail("workload", "expected hello or demo");
    } else {
      auto file = t.requiredText("file");
      g.file = (fs::path(l.dir) / file).lexically_normal().string();
      if (!fs::exists(g.file))
        t.fail("file", "no such file: " + g.file);
    }
    g.virt = t.text("virt").value_or("vtx");
    if (!findTechnique(g.virt))
      t.fail("virt", "not a technique (native, trap, bt, pv, vtx)");
    g.profile = t.text("profile").value_or("");
    g.mmu = t.text("mmu").value_or("native");
    if (g.mmu != "native" && g.mmu != "shadow" && g.mmu != "ept")
      t.fail("mmu", "expected native, shadow or ept");
    g.vmxSet = readStrings(t, "vmx_set");
    g.maxInsns = t.number("max_insns").value_or(g.maxInsns);
    g.memMiB = t.number("mem_mib").value_or(g.memMiB);
    g.snapshotAt = t.number("snapshot_at").value_or(0);
    g.migrateAt = t.number("migrate_at").value_or(0);
    g.bandwidthMiBps = t.number("bandwidth").value_or(g.bandwidthMiBps);
    g.guestMips = t.number("guest_mips").value_or(g.guestMips);
    if (g.snapshotAt && g.migrateAt)
      t.fail("snapshot_at", "a guest has snapshot_at or migrate_at, not both");
    if ((g.snapshotAt && g.snapshotAt >= g.maxInsns) || (g.migrateAt && g.migrateAt >= g.maxInsns))
      t.fail(g.snapshotAt ? "snapshot_at" : "migrate_at", "must be below max_insns");
    if (g.bandwidthMiBps == 0 || g.guestMips == 0)
      t.fail("bandwidth", "bandwidth and guest_mips must be positive");
    l.guests.push_back(std::move(g));
  });
  if (l.guests.empty())
    top.fail("guest", "a lesson needs at least one [[guest]]");

  eachTable(top, "step", [&](TomlTable &t) {
    Step s;
    s.guest = guestFor(t, l);
    s.runTo = optionalSelector(t, "run_to");
    s.view = t.requiredText("view");
    if (std::find(kViews.begin(), kViews.end(), s.view) == kViews.end())
      t.fail("view",
             "unknown view '" + s.view + "' (rings, timeline, vmcs, registers, devices, pagewalk)");
    s.text = readText(t, "text");
    l.steps.push_back(std::move(s));
  });

  eachTable(top, "checkpoint", [&](TomlTable &t) {
    Checkpoint c;
    c.guest = guestFor(t, l);
    c.question = readText(t, "question");
    c.choices = readStrings(t, "choices", true);
    c.answerCount = optionalSelector(t, "answer_count");
    if (const toml::table *af = t.subtable("answer_field")) {
      TomlTable a(*af, t.keyPath("answer_field"), l.manifest);
      c.answerEvent = selector(a, "event", a.requiredText("event"));
      c.answerField = a.requiredText("field");
      a.finish();
    }
    c.answerWalkRefs = optionalSelector(t, "answer_walk_refs");
    if (c.answerWalkRefs && c.answerWalkRefs->kind != parseEventQuery("walk").kind)
      t.fail("answer_walk_refs", "expected a walk selector, e.g. walk[gva=0x40000000]");
    if (int(c.answerCount.has_value()) + int(c.answerEvent.has_value()) +
            int(c.answerWalkRefs.has_value()) !=
        1)
      t.fail("answer_count", "give exactly one of answer_count, answer_field and answer_walk_refs");
    const toml::node *answer = t.node("answer");
    if (!answer || !asText(*answer))
      t.fail("answer", "missing: the expected answer (a string or an integer)");
    c.answer = *asText(*answer);
    if (!c.choices.empty() &&
        std::find(c.choices.begin(), c.choices.end(), c.answer) == c.choices.end())
      t.fail("answer", "the answer is not one of the choices");
    c.explain = readText(t, "explain", false);
    l.checkpoints.push_back(std::move(c));
  });

  eachTable(top, "expect", [&](TomlTable &t) {
    Expectation e;
    e.where = t.where();
    e.guest = guestFor(t, l);
    e.events = optionalSelector(t, "events");
    e.count = t.number("count");
    e.min = t.number("min");
    e.max = t.number("max");
    if (const toml::array *seq = t.array("sequence"))
      for (const auto &item : *seq) {
        if (!item.is_string())
          t.fail("sequence", "expected an array of selectors");
        e.sequence.push_back(selector(t, "sequence", *item.value<std::string>()));
      }
    e.console = t.text("console");
    e.stop = t.text("stop");
    if (auto code = t.number("code"))
      e.code = static_cast<int64_t>(*code);
    int forms =
        e.events.has_value() + !e.sequence.empty() + e.console.has_value() + e.stop.has_value();
    if (forms != 1)
      t.fail("events", "each [[expect]] has exactly one of events, sequence, console, stop");
    if (e.events && !e.count && !e.min && !e.max)
      e.min = 1; // "it happens"
    l.expectations.push_back(std::move(e));
  });
  top.finish();
  return l;
}

std::vector<std::string> lessonDirs(const std::string &root) {
  std::vector<std::string> dirs;
  std::error_code ec;
  for (const auto &entry : fs::directory_iterator(root, ec))
    if (entry.is_directory() && fs::exists(entry.path() / "lesson.toml"))
      dirs.push_back(entry.path().string());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

} // namespace ringside::lessons
