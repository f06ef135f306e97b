#pragma once
// One run of one guest as the app sees it: the recorded events, the cursor the views show
// (any past event), playback at a chosen speed, and the worker that produces the events.
// Everything here happens on the UI thread; a 16 ms timer drains the worker's queue, so the
// views are redrawn at most 60 times a second and the UI never waits for the guest.
#include "backend/backend.h"
#include "core/breakpoint.h"
#include "core/event_store.h"
#include "core/machine_state.h"
#include "core/source_map.h"
#include "core/state_index.h"

#include <QElapsedTimer>
#include <QObject>
#include <QString>
#include <QTimer>
#include <memory>
#include <string>
#include <vector>

namespace ringside::desktop {

class RunWorker;

/// How a guest is run: --virt, --mmu, --vmx-profile, --vmx-set. A lesson's manifest
/// (lesson.toml's [[guest]]) seeds them; the toolbar's pickers set --virt and --mmu.
struct RunFlags {
  std::string virt = "vtx";
  std::string mmu = "native"; ///< core/mmu_modes.h: native, shadow, ept
  std::string profile;
  std::vector<std::string> vmxSet;
};

/// A problem loading or assembling a guest, shown in the editor at its line.

struct LoadProblem {
  QString message;
  int line = 0; ///< 1-based source line, 0 when the problem has no line
};

class Session : public QObject {
  Q_OBJECT
public:
  /// Playback speed at which the cursor follows the newest event.
  static constexpr double kFullSpeed = 0;
  static constexpr std::size_t kMaxEvents = 3'000'000; ///< the store stops the run here

  explicit Session(QObject *parent = nullptr);
  ~Session() override;

  /// Assembles/loads `guestPath` and starts it on `backendName` ("emu", "kvm"). On failure
  /// returns the problem and leaves the previous recording in place.
  std::optional<LoadProblem> start(const QString &guestPath, const QString &backendName,
                                   const RunFlags &flags = {});
  /// Replaces the recording with `events` (a loaded .jsonl or a benchmark trace); no worker.
  void loadRecording(std::vector<Event> events, const QString &label);
  void stop();

  void play();
  void pause();
  bool playing() const { return playing_; }
  /// Events per second the cursor advances while playing; kFullSpeed follows the newest event.
  void setSpeed(double eventsPerSecond) { speed_ = eventsPerSecond; }
  double speed() const { return speed_; }

  /// Playback stops at the first event that matches (nullopt: no breakpoint).
  void setBreakpoint(std::optional<Breakpoint> breakpoint) { breakpoint_ = breakpoint; }
  /// True when playback last stopped at the breakpoint.
  bool stoppedAtBreakpoint() const { return atBreakpoint_; }

  void stepForward();
  void stepBack();
  /// Moves to the next event that is a trap, exit or walk (exception, exit, walk, ring change).
  void stepToNextTrap();
  /// Shows the state after the first `applied` events (1 = the first event is current).
  void scrubTo(std::size_t applied);

  const EventStore &store() const { return store_; }
  const MachineState &state() const { return state_; }
  std::size_t cursor() const { return state_.applied; }
  /// The event the views are showing, or nullptr before the first one.
  const Event *currentEvent() const;
  bool running() const; ///< the worker is still producing
  const Capabilities &capabilities() const { return capabilities_; }
  const QString &backendName() const { return backendName_; }
  const QString &label() const { return label_; }
  const SourceMap &sourceMap() const { return sourceMap_; }
  const QString &statusMessage() const { return status_; }
  /// The flags the current run was started with.
  const RunFlags &runFlags() const { return flags_; }

  /// Drains the worker and advances playback once (the timer calls it; tests may too).
  void tick();

signals:
  void cursorChanged();
  void eventsAppended();
  void runStateChanged();

private:
  void resetRecording();
  void drain();
  void setCursor(std::size_t applied);

  EventStore store_;
  StateIndex index_;
  MachineState state_;
  std::unique_ptr<RunWorker> worker_;
  Capabilities capabilities_;
  QString backendName_, label_, status_;
  SourceMap sourceMap_;
  QTimer timer_;
  QElapsedTimer clock_;
  bool playing_ = false;
  double speed_ = kFullSpeed;
  double owed_ = 0; ///< fractional events of playback not yet shown
  std::vector<Event> batch_;
  std::optional<Breakpoint> breakpoint_;
  bool atBreakpoint_ = false;
  RunFlags flags_;
};

} // namespace ringside::desktop
