#pragma once
// The lesson guide: a lesson's steps and checkpoints (lesson.toml, docs/lesson-format.md) in the
// app. A step runs its guest, moves the cursor to its run_to event and raises its view; a
// checkpoint asks its question first (predict), then runs the guest and checks the prediction
// against the recorded trace (core/checkpoint_check.h).
#include "lessons/lesson.h"

#include <QString>
#include <QWidget>
#include <optional>

class QComboBox;
class QLabel;
class QPushButton;

namespace ringside::desktop {

class Session;

class LessonGuide : public QWidget {
  Q_OBJECT
public:
  LessonGuide(Session &session, QWidget *parent = nullptr);

  /// Shows the lesson whose folder holds `guestPath` (nothing when it has no lesson.toml).
  void showLessonOf(const QString &guestPath);
  bool hasLesson() const { return lesson_.has_value(); }
  const lessons::Lesson *lesson() const { return lesson_ ? &*lesson_ : nullptr; }

  int step() const { return step_; }
  int checkpoint() const { return checkpoint_; }
  void setStep(int index);
  void setCheckpoint(int index);
  /// Runs the step's guest if it is not the recording, then goes to its run_to event.
  void goToStep();
  /// Sets the prediction (a choice, or free text when the checkpoint has no choices).
  void setPrediction(const QString &text);
  /// Runs the checkpoint's guest if needed, then checks the prediction against the trace.
  void checkPrediction();
  /// The last verdict's text (tests read it), and whether it said the prediction was right.
  QString verdictText() const;
  std::optional<bool> lastVerdict() const { return verdict_; }

  void retranslate();

signals:
  /// Open this guest and run it (the main window does, with the lesson's flags).
  void runGuestRequested(const QString &path);
  void viewRequested(const QString &key);

private:
  enum class Pending { None, Step, Check };
  void onRunState();
  bool recordingIs(const std::string &guestFile) const;
  void finishStep();
  void finishCheck();
  void refresh();
  void showVerdict();
  const lessons::LessonGuest *guestNamed(const std::string &name) const;

  Session &session_;
  std::optional<lessons::Lesson> lesson_;
  QString lessonDir_;
  int step_ = 0, checkpoint_ = 0;
  Pending pending_ = Pending::None;
  std::optional<bool> verdict_;
  QString predicted_, traceSays_;
  QLabel *title_, *stepHead_, *stepText_, *checkHead_, *question_, *result_;
  QPushButton *prevStep_, *nextStep_, *go_, *prevCheck_, *nextCheck_, *check_;
  QComboBox *prediction_;
};

} // namespace ringside::desktop
