#include "session.h"

#include "core/run_worker.h"
#include "errors.h"
#include "guest/image_loader.h"

#include <QRegularExpression>
#include <algorithm>

namespace ringside::desktop {

namespace {

constexpr std::size_t kQueueCapacity = 65536;
constexpr qint64 kDrainBudgetMs = 8; ///< of each 16 ms tick, at most this much records events

/// nasm and the loader say "file:LINE: error: …"; the editor wants the line.
LoadProblem problemFrom(const std::string &what) {
  LoadProblem p{QString::fromStdString(what), 0};
  static const QRegularExpression atLine(QStringLiteral(R"(:(\d+): (?:error|fatal|warning))"));
  const auto m = atLine.match(p.message);
  if (m.hasMatch())
    p.line = m.captured(1).toInt();
  return p;
}

} // namespace

Session::Session(QObject *parent) : QObject(parent) {
  timer_.setInterval(16);
  connect(&timer_, &QTimer::timeout, this, &Session::tick);
  timer_.start();
  clock_.start();
}

Session::~Session() = default;

void Session::resetRecording() {
  worker_.reset();
  store_.clear();
  index_.clear();
  state_ = MachineState{};
  owed_ = 0;
  status_.clear();
}

std::optional<LoadProblem> Session::start(const QString &guestPath, const QString &backendName,
                                          const RunFlags &flags) {
  std::unique_ptr<Backend> backend;
  GuestImage image;
  try {
    image = loadGuestImage(guestPath.toStdString());
    backend = createBackend(backendName.toStdString());
    RunConfig config;
    config.timeoutSeconds = 0;           // the Stop button ends a guest, not a clock
    config.maxInstructions = 50'000'000; // a guest that never stops still ends
    config.virt = flags.virt;
    config.vmxProfile = flags.profile;
    config.vmxOverrides = flags.vmxSet;
    config.mmu = flags.mmu;
    backend->load(image, config);
  } catch (const std::exception &e) {
    return problemFrom(e.what());
  }
  resetRecording();
  capabilities_ = backend->capabilities();
  backendName_ = QString::fromStdString(backend->name());
  label_ = guestPath;
  flags_ = flags;
  const uint64_t base = image.segments.empty() ? 0 : image.segments.front().gpa;
  sourceMap_ = SourceMap::fromNasmListing(image.listing, base);
  worker_ = std::make_unique<RunWorker>(std::move(backend), kQueueCapacity);
  worker_->start();
  emit eventsAppended();
  emit cursorChanged();
  emit runStateChanged();
  return std::nullopt;
}

void Session::loadRecording(std::vector<Event> events, const QString &label) {
  resetRecording();
  capabilities_ = Capabilities{};
  capabilities_.modelledExits = true;
  capabilities_.description = "a recorded trace";
  backendName_.clear();
  label_ = label;
  sourceMap_ = SourceMap{};
  for (auto &e : events)
    store_.append(std::move(e));
  index_.catchUp(store_);
  emit eventsAppended();
  setCursor(std::min<std::size_t>(store_.size(), 1));
  emit runStateChanged();
}

void Session::stop() {
  if (worker_)
    worker_->stop();
}

bool Session::running() const { return worker_ && !(worker_->threadDone() && !worker_->queued()); }

void Session::play() {
  if (speed_ != kFullSpeed && cursor() >= store_.size() && !running())
    setCursor(std::min<std::size_t>(store_.size(), 1)); // replay from the start
  playing_ = true;
  atBreakpoint_ = false;
  clock_.restart();
  owed_ = 0;
  emit runStateChanged();
}

void Session::pause() {
  playing_ = false;
  emit runStateChanged();
}

void Session::stepForward() {
  pause();
  setCursor(std::min(cursor() + 1, store_.size()));
}

void Session::stepBack() {
  pause();
  setCursor(cursor() > 1 ? cursor() - 1 : std::min<std::size_t>(store_.size(), 1));
}

void Session::stepToNextTrap() {
  pause();
  for (std::size_t i = cursor(); i < store_.size(); ++i) {
    const auto &body = store_.at(i).body;
    if (std::holds_alternative<ExitEvent>(body) || std::holds_alternative<ExceptionEvent>(body) ||
        std::holds_alternative<WalkEvent>(body) || std::holds_alternative<RingEvent>(body) ||
        std::holds_alternative<TrapEvent>(body) || std::holds_alternative<LeakEvent>(body)) {
      setCursor(i + 1);
      return;
    }
  }
  setCursor(store_.size());
}

void Session::scrubTo(std::size_t applied) {
  pause();
  setCursor(std::min(applied, store_.size()));
}

const Event *Session::currentEvent() const {
  return state_.applied == 0 ? nullptr : &store_.at(state_.applied - 1);
}

void Session::setCursor(std::size_t applied) {
  if (applied == state_.applied)
    return;
  index_.moveTo(store_, state_, applied);
  emit cursorChanged();
}

void Session::drain() {
  if (!worker_)
    return;
  QElapsedTimer budget;
  budget.start();
  const bool wasRunning = running();
  std::size_t added = 0;
  while (budget.elapsed() < kDrainBudgetMs && store_.size() < kMaxEvents) {
    batch_.clear();
    if (worker_->drain(batch_, 4096) == 0)
      break;
    for (auto &e : batch_) {
      if (store_.size() >= kMaxEvents) {
        worker_->abandon();
        status_ = tr("The run was stopped: the recording is full (%1 events).").arg(kMaxEvents);
        break;
      }
      store_.append(std::move(e));
      ++added;
    }
  }
  if (added) {
    index_.catchUp(store_);
    emit eventsAppended();
  }
  if (wasRunning && !running()) {
    if (!worker_->error().empty())
      status_ = tr("The backend failed: %1").arg(QString::fromStdString(worker_->error()));
    emit runStateChanged();
  }
}

void Session::tick() {
  drain();
  if (!playing_)
    return;
  const double seconds = clock_.restart() / 1000.0;
  std::size_t target = store_.size();
  if (speed_ != kFullSpeed) {
    owed_ += speed_ * seconds;
    const auto whole = static_cast<std::size_t>(owed_);
    owed_ -= static_cast<double>(whole);
    target = std::min(store_.size(), cursor() + whole);
  }
  if (breakpoint_) {
    for (std::size_t i = cursor(); i < target; ++i)
      if (breakpoint_->matches(store_.at(i))) {
        setCursor(i + 1);
        pause();
        atBreakpoint_ = true;
        emit runStateChanged();
        return;
      }
  }
  setCursor(target);
  if (cursor() >= store_.size() && !running()) {
    playing_ = false;
    emit runStateChanged();
  }
}

} // namespace ringside::desktop
