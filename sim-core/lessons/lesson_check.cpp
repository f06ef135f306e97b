#include "lessons/lesson_check.h"

#include "containers/container_run.h"
#include "errors.h"
#include "guest/image_loader.h"
#include "migration/precopy.h"
#include "platform/platform.h"
#include "snapshot/machine_state.h"

#include <unistd.h>

#include <filesystem>

#include <algorithm>

namespace ringside::lessons {
namespace {

std::string kindOf(const EventQuery &q) { return q.text.substr(0, q.text.find('[')); }

std::string describe(const EventQuery &q) { return "'" + q.text + "'"; }

// The events of a run before it was cut, without the budget stops that cut it.
void appendHistory(std::vector<Event> &out, const std::vector<Event> &events) {
  for (const auto &e : events)
    if (const auto *stop = std::get_if<StopEvent>(&e.body); !stop || stop->kind != StopKind::Budget)
      out.push_back(e);
}

// snapshot_at: run to N, save to a file, restore in a fresh backend, run on.
GuestOutcome runThroughSnapshot(const LessonGuest &g, const RunConfig &config) {
  GuestOutcome out;
  auto first = createBackend(g.backend);
  RunConfig cut = config;
  cut.maxInstructions = g.snapshotAt;
  first->load(loadGuestImage(g.file), cut);
  RunResult r = first->run();
  if (r.stop.kind != StopKind::Budget)
    throw InputError(g.file + ": the guest stopped (" + stopKindName(r.stop.kind) +
                     ") before snapshot_at " + std::to_string(g.snapshotAt));
  auto path = std::filesystem::temp_directory_path() /
              ("ringside-lesson-" + std::to_string(::getpid()) + ".rss");
  snapshot::saveState(first->saveState(), path.string());
  auto state = snapshot::loadState(path.string());
  std::filesystem::remove(path);
  auto second = createBackend(g.backend);
  second->restoreState(state, config);
  out.result = second->run();
  appendHistory(out.events, first->trace().events());
  for (const auto &e : second->trace().events())
    out.events.push_back(e);
  out.console = second->platform().console();
  out.backend = second->name();
  return out;
}

// migrate_at: run N instructions, migrate by pre-copy, run on at the target.
GuestOutcome runThroughMigration(const LessonGuest &g, const RunConfig &config) {
  GuestOutcome out;
  auto source = createBackend(g.backend);
  auto target = createBackend(g.backend);
  migration::Config c;
  c.warmupInstructions = g.migrateAt;
  c.bandwidthMiBps = static_cast<double>(g.bandwidthMiBps);
  c.guestMips = static_cast<double>(g.guestMips);
  auto m = migration::migrate(loadGuestImage(g.file), *source, *target, config, c);
  if (!m.memoryEqual || !m.registersEqual)
    throw InputError(g.file + ": the migrated state differs from the source's");
  out.result = target->resume(config.maxInstructions);
  appendHistory(out.events, source->trace().events());
  for (const auto &e : target->trace().events())
    out.events.push_back(e);
  out.console = target->platform().console();
  out.backend = target->name();
  return out;
}

} // namespace

namespace {

GuestOutcome runLessonContainer(const LessonGuest &g) {
  containers::ContainerOptions options;
  options.workload =
      g.workload == "demo" ? containers::Workload::Demo : containers::Workload::Hello;
  options.timeoutSeconds = 20;
  Trace trace;
  auto r = containers::runContainer(options, trace);
  // The lesson's steps and checks read the workload's system calls: without ptrace the run
  // cannot show them, which is this host's limit, not the lesson's fault.
  for (const auto &s : r.skipped)
    if (s.starts_with("syscall tracing"))
      throw containers::ContainerUnavailable("system calls cannot be traced here: " + s);
  GuestOutcome out;
  out.events = trace.events();
  out.console = r.output;
  out.backend = "container";
  out.result.stop = {StopKind::ExitPort, r.exitStatus, "PID 1 exit status"};
  return out;
}

} // namespace

GuestOutcome runLessonGuest(const LessonGuest &g) {
  if (g.backend == "container")
    return runLessonContainer(g);
  GuestOutcome out;
  auto backend = createBackend(g.backend);
  RunConfig config;
  config.ramMiB = g.memMiB;
  config.maxInstructions = g.maxInsns;
  config.timeoutSeconds = 20;
  config.vmxProfile = g.profile;
  config.vmxOverrides = g.vmxSet;
  config.virt = g.virt;
  config.mmu = g.mmu;
  if (g.snapshotAt)
    return runThroughSnapshot(g, config);
  if (g.migrateAt)
    return runThroughMigration(g, config);
  backend->load(loadGuestImage(g.file), config);
  out.result = backend->run();
  out.events = backend->trace().events();
  out.console = backend->platform().console();
  out.backend = backend->name();
  return out;
}

size_t findEvent(const EventQuery &q, const std::vector<Event> &events, size_t from) {
  for (size_t i = from; i < events.size(); ++i)
    if (matches(q, events[i]))
      return i;
  return events.size();
}

uint64_t walkRefs(const std::vector<Event> &events, size_t first) {
  const auto &walk = std::get<WalkEvent>(events[first].body);
  if (walk.walkId == 0)
    return walk.memoryRefs;
  uint64_t refs = 0;
  for (const Event &e : events)
    if (const auto *w = std::get_if<WalkEvent>(&e.body); w && w->walkId == walk.walkId)
      refs += w->memoryRefs;
  return refs;
}

std::optional<uint64_t> numericAnswer(const Checkpoint &c, const std::vector<Event> &events) {
  if (c.answerCount)
    return countMatches(*c.answerCount, events);
  if (!c.answerWalkRefs)
    return std::nullopt;
  const size_t at = findEvent(*c.answerWalkRefs, events);
  if (at == events.size())
    return std::nullopt;
  return walkRefs(events, at);
}

std::string traceAnswer(const Checkpoint &c, const std::vector<Event> &events) {
  if (c.answerCount || c.answerWalkRefs) {
    const auto n = numericAnswer(c, events);
    return n ? std::to_string(*n) : "";
  }
  size_t at = findEvent(*c.answerEvent, events);
  if (at == events.size())
    return "";
  // The expected answer is checked by asking the selector language itself, so names
  // (CPUID, #PF, GUEST_RIP …) and numbers are understood the same way as in selectors.
  auto probe = parseEventQuery(kindOf(*c.answerEvent) + "[" + c.answerField + "=" + c.answer + "]");
  return matches(probe, events[at]) ? c.answer : "(something else)";
}

LessonReport checkLesson(const Lesson &lesson) {
  LessonReport r;
  r.lesson = &lesson;
  auto problem = [&](std::string where, std::string what) {
    r.problems.push_back({lesson.manifest + " " + std::move(where), std::move(what)});
  };
  for (const auto &g : lesson.guests) {
    try {
      r.runs.emplace(g.name, runLessonGuest(g));
    } catch (const containers::ContainerUnavailable &e) {
      r.skips.push_back("guest " + g.name + " (container): " + e.what());
    } catch (const InputError &e) {
      // A guest pinned to KVM cannot run on a machine without usable KVM: a skip, with the
      // backend's reason, not a broken lesson. Anything else is the lesson's problem.
      bool guestLoads = true;
      try {
        loadGuestImage(g.file);
      } catch (const InputError &) {
        guestLoads = false;
      }
      if (g.backend == "kvm" && guestLoads)
        r.skips.push_back("guest " + g.name + " (kvm): " + e.what());
      else
        problem("guest " + g.name, e.what());
    }
  }
  auto runOf = [&](const std::string &guest) -> const GuestOutcome * {
    auto it = r.runs.find(guest);
    return it == r.runs.end() ? nullptr : &it->second;
  };

  for (size_t i = 0; i < lesson.steps.size(); ++i) {
    const auto &s = lesson.steps[i];
    const GuestOutcome *run = runOf(s.guest);
    if (!run || !s.runTo)
      continue;
    if (findEvent(*s.runTo, run->events) == run->events.size())
      problem("step[" + std::to_string(i) + "].run_to",
              describe(*s.runTo) + " never happens in the guest's trace");
  }
  for (size_t i = 0; i < lesson.checkpoints.size(); ++i) {
    const auto &c = lesson.checkpoints[i];
    const GuestOutcome *run = runOf(c.guest);
    if (!run)
      continue;
    std::string got;
    try {
      got = traceAnswer(c, run->events);
    } catch (const InputError &e) {
      problem("checkpoint[" + std::to_string(i) + "].answer", e.what());
      continue;
    }
    if (got != c.answer)
      problem("checkpoint[" + std::to_string(i) + "].answer",
              "the answer is '" + c.answer + "' but the trace says '" +
                  (got.empty() ? std::string("(no such event)") : got) + "'");
  }
  for (const auto &e : lesson.expectations) {
    const GuestOutcome *run = runOf(e.guest);
    if (!run)
      continue;
    if (e.events) {
      uint64_t n = countMatches(*e.events, run->events);
      bool bad = (e.count && n != *e.count) || (e.min && n < *e.min) || (e.max && n > *e.max);
      if (bad)
        problem(e.where + ".events",
                describe(*e.events) + " happens " + std::to_string(n) + " times" +
                    (e.count ? ", expected " + std::to_string(*e.count)
                     : e.min && e.max
                         ? ", expected " + std::to_string(*e.min) + "-" + std::to_string(*e.max)
                     : e.min ? ", expected at least " + std::to_string(*e.min)
                             : ", expected at most " + std::to_string(*e.max)));
    } else if (!e.sequence.empty()) {
      size_t got = matchSequencePrefix(e.sequence, run->events);
      if (got != e.sequence.size())
        problem(e.where + ".sequence",
                "only the first " + std::to_string(got) + " of " +
                    std::to_string(e.sequence.size()) +
                    " happen in order; next missing: " + describe(e.sequence[got]));
    } else if (e.console) {
      if (run->console.find(*e.console) == std::string::npos)
        problem(e.where + ".console", "the console output does not contain '" + *e.console + "'");
    } else if (e.stop) {
      std::string kind = stopKindName(run->result.stop.kind);
      if (kind != *e.stop || (e.code && run->result.stop.code != *e.code))
        problem(e.where + ".stop", "the guest stopped with " + kind + " code " +
                                       std::to_string(run->result.stop.code) + " (" +
                                       run->result.stop.message + ")");
    }
  }
  return r;
}

} // namespace ringside::lessons
