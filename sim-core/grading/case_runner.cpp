#include "grading/case_runner.h"

#include "backend/backend.h"
#include "errors.h"
#include "grading/check_eval.h"
#include "grading/entry_stub.h"
#include "guest/image_loader.h"
#include "platform/platform.h"
#include "util/hex.h"

#include <chrono>
#include <filesystem>
#include <memory>

namespace ringside::grading {
namespace {

/// Applies a case's inputs to a copy of the image: memory blocks become segments, register
/// inputs an entry stub.
GuestImage withInputs(const GuestImage &image, const TestCase &tc) {
  GuestImage out = image;
  for (const auto &block : tc.memory) {
    ImageSegment segment;
    segment.gpa = block.address;
    segment.bytes = block.bytes;
    segment.memSize = block.bytes.size();
    out.segments.push_back(std::move(segment));
  }
  if (!tc.regs.empty()) {
    ImageSegment stub;
    stub.gpa = tc.stubAddress;
    stub.bytes = entryStub(image.entryMode, tc.stubAddress, image.entry, tc.regs);
    stub.memSize = stub.bytes.size();
    out.segments.push_back(std::move(stub));
    out.entry = tc.stubAddress;
  }
  return out;
}

/// Keeps events for the checks and stops the run when the guest exceeds the console or event
/// budget (a flood must not exhaust the grader's memory).
class BudgetKeeper {
public:
  BudgetKeeper(Backend &backend, const Budgets &budgets) : backend_(backend), budgets_(budgets) {}
  void operator()(const Event &event) {
    if (auto *c = std::get_if<ConsoleEvent>(&event.body)) {
      consoleBytes_ += c->text.size();
      if (consoleBytes_ > budgets_.consoleBytes && why_.empty()) {
        why_ = "console budget exceeded: more than " + std::to_string(budgets_.consoleBytes) +
               " bytes of output";
        backend_.requestStop();
      }
    }
    if (events_.size() < budgets_.maxEvents) {
      events_.push_back(event);
    } else if (!truncated_) {
      truncated_ = true;
      if (why_.empty())
        why_ = "event budget exceeded: more than " + std::to_string(budgets_.maxEvents) + " events";
      backend_.requestStop();
    }
  }
  std::vector<Event> events_;
  std::string why_; ///< why the keeper stopped the run, empty when it did not
  bool truncated_ = false;

private:
  Backend &backend_;
  const Budgets &budgets_;
  uint64_t consoleBytes_ = 0;
};

CaseResult notRun(const TestCase &tc, const std::string &why) {
  CaseResult cr;
  cr.name = tc.name;
  cr.hidden = tc.hidden;
  cr.stopMessage = why;
  for (const auto &check : tc.checks)
    cr.checks.push_back({check.name, checkTypeName(check.type), 0, check.points, false,
                         "case did not run: " + why});
  return cr;
}

} // namespace

GuestImage buildSubmission(const LabSpec &spec, const SubmissionFiles &files) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(files.source, ec);
  if (!ec && size > spec.maxBytes)
    throw InputError("submission '" + files.source + "' is " + std::to_string(size) +
                     " bytes; the lab accepts at most " + std::to_string(spec.maxBytes) +
                     " ([build] max_bytes)");
  LoadOptions load;
  load.loadAddress = spec.load;
  load.entryMode = spec.entry;
  load.includeJail = files.jail;
  return loadGuestImage(files.source, load);
}

CaseResult runCase(const LabSpec &spec, const TestCase &tc, const GuestImage &image,
                   const std::string &backendName) {
  std::unique_ptr<Backend> backend;
  try {
    GuestImage input = withInputs(image, tc);
    backend = createBackend(backendName);
    RunConfig config;
    config.ramMiB = spec.memMiB;
    config.maxInstructions = spec.budgets.maxInstructions;
    config.timeoutSeconds = spec.budgets.timeoutSeconds;
    config.vmxProfile = spec.vmxProfile;
    config.virt = spec.virt;
    config.mmu = spec.mmu;
    backend->load(input, config);
  } catch (const InputError &e) {
    return notRun(tc, e.what());
  }
  BudgetKeeper keeper(*backend, spec.budgets);
  backend->trace().setKeepEvents(false);
  backend->trace().addListener(std::ref(keeper));
  RunResult result;
  try {
    result = backend->run();
  } catch (const InputError &e) {
    return notRun(tc, e.what());
  }
  if (!keeper.why_.empty()) // the engine says "timeout"; say which budget it was
    result.stop.message = keeper.why_;

  CaseResult cr;
  cr.name = tc.name;
  cr.hidden = tc.hidden;
  cr.stop = stopKindName(result.stop.kind);
  cr.exitCode = result.stop.code;
  cr.stopMessage = result.stop.message;
  cr.instructions = result.instructions;
  const std::string &console = backend->platform().console();
  cr.console = console.substr(0, kConsoleExcerptBytes);
  const Backend *b = backend.get();
  RunView view{result,
               keeper.events_,
               console,
               [b](uint64_t gpa, void *dst, size_t n) { return b->readGuestPhysical(gpa, dst, n); },
               backend->modelVmcs(),
               keeper.truncated_};
  const bool blindSpots = !backend->unobservable().empty();
  for (const auto &check : tc.checks) {
    CheckResult result = evaluateCheck(check, view);
    // A missing event may be one this backend cannot see: say so rather than blame the student.
    const bool eventCheck = check.type != CheckType::Console && check.type != CheckType::Stop &&
                            check.type != CheckType::Register && check.type != CheckType::Memory;
    if (!result.passed && eventCheck && blindSpots)
      result.message += " (the " + backend->name() +
                        " backend cannot observe every event here: `ringside run --backend " +
                        backend->name() + " --json` lists what it cannot see)";
    cr.checks.push_back(std::move(result));
  }
  return cr;
}

SubmissionResult gradeSubmission(const LabSpec &spec, const SubmissionFiles &files,
                                 const std::string &backend) {
  const auto start = std::chrono::steady_clock::now();
  SubmissionResult r;
  GuestImage image;
  try {
    image = buildSubmission(spec, files);
  } catch (const InputError &e) {
    // Name files as the student knows them, not by where the grader keeps them.
    std::string why = e.what();
    const std::string dir = std::filesystem::path(files.source).parent_path().string() + "/";
    for (size_t at; dir.size() > 1 && (at = why.find(dir)) != std::string::npos;)
      why.erase(at, dir.size());
    r = failedResult(spec, files.name, Status::BuildError, why);
  }
  if (r.status == Status::Graded) {
    r.submission = files.name;
    for (const auto &tc : spec.cases)
      r.cases.push_back(runCase(spec, tc, image, backend));
  }
  r.backend = backend;
  r.version = ringsideVersion();
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r;
}

} // namespace ringside::grading
