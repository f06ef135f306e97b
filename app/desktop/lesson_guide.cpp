#include "lesson_guide.h"

#include "core/checkpoint_check.h"
#include "language.h"
#include "lessons/lesson_check.h"
#include "session.h"

#include <QComboBox>
#include <QDir>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>
#include <algorithm>

namespace ringside::desktop {

namespace {

QString qs(const std::string &s) { return QString::fromStdString(s); }

QString lang() { return currentLanguage(); }

QLabel *wrapped(QWidget *parent, bool bold = false) {
  auto *l = new QLabel(parent);
  l->setWordWrap(true);
  l->setTextFormat(Qt::PlainText);
  if (bold) {
    QFont f = l->font();
    f.setBold(true);
    l->setFont(f);
  }
  return l;
}

} // namespace

LessonGuide::LessonGuide(Session &session, QWidget *parent)
    : QWidget(parent), session_(session), title_(wrapped(this, true)),
      stepHead_(wrapped(this, true)), stepText_(wrapped(this)), checkHead_(wrapped(this, true)),
      question_(wrapped(this)), result_(wrapped(this)), prevStep_(new QPushButton(this)),
      nextStep_(new QPushButton(this)), go_(new QPushButton(this)),
      prevCheck_(new QPushButton(this)), nextCheck_(new QPushButton(this)),
      check_(new QPushButton(this)), prediction_(new QComboBox(this)) {
  setObjectName(QStringLiteral("lessonGuide"));
  prediction_->setObjectName(QStringLiteral("prediction"));
  check_->setObjectName(QStringLiteral("checkPrediction"));
  go_->setObjectName(QStringLiteral("goToStep"));
  auto *layout = new QVBoxLayout(this);
  layout->addWidget(title_);
  layout->addWidget(stepHead_);
  layout->addWidget(stepText_);
  auto *stepButtons = new QHBoxLayout;
  stepButtons->addWidget(prevStep_);
  stepButtons->addWidget(go_);
  stepButtons->addWidget(nextStep_);
  layout->addLayout(stepButtons);
  auto *line = new QFrame(this);
  line->setFrameShape(QFrame::HLine);
  layout->addWidget(line);
  layout->addWidget(checkHead_);
  layout->addWidget(question_);
  layout->addWidget(prediction_);
  auto *checkButtons = new QHBoxLayout;
  checkButtons->addWidget(prevCheck_);
  checkButtons->addWidget(check_);
  checkButtons->addWidget(nextCheck_);
  layout->addLayout(checkButtons);
  layout->addWidget(result_);
  layout->addStretch(1);

  connect(prevStep_, &QPushButton::clicked, this, [this] { setStep(step_ - 1); });
  connect(nextStep_, &QPushButton::clicked, this, [this] { setStep(step_ + 1); });
  connect(go_, &QPushButton::clicked, this, &LessonGuide::goToStep);
  connect(prevCheck_, &QPushButton::clicked, this, [this] { setCheckpoint(checkpoint_ - 1); });
  connect(nextCheck_, &QPushButton::clicked, this, [this] { setCheckpoint(checkpoint_ + 1); });
  connect(check_, &QPushButton::clicked, this, &LessonGuide::checkPrediction);
  connect(&session_, &Session::runStateChanged, this, &LessonGuide::onRunState);
  retranslate();
}

void LessonGuide::showLessonOf(const QString &guestPath) {
  const QString dir = QFileInfo(guestPath).absolutePath();
  if (dir == lessonDir_ && lesson_)
    return;
  lesson_.reset();
  lessonDir_ = dir;
  step_ = checkpoint_ = 0;
  verdict_.reset();
  result_->clear();
  if (QFileInfo::exists(QDir(dir).filePath(QStringLiteral("lesson.toml")))) {
    try {
      lesson_ = lessons::loadLesson(dir.toStdString());
    } catch (const std::exception &e) {
      result_->setText(qs(e.what())); // a broken manifest: say where, once, here
    }
  }
  setCheckpoint(0);
  refresh();
}

const lessons::LessonGuest *LessonGuide::guestNamed(const std::string &name) const {
  return lesson_ ? lesson_->guest(name) : nullptr;
}

void LessonGuide::setStep(int index) {
  if (!lesson_ || lesson_->steps.empty())
    return;
  step_ = std::clamp(index, 0, static_cast<int>(lesson_->steps.size()) - 1);
  refresh();
}

void LessonGuide::setCheckpoint(int index) {
  verdict_.reset();
  result_->clear();
  prediction_->clear();
  if (!lesson_ || lesson_->checkpoints.empty()) {
    refresh();
    return;
  }
  checkpoint_ = std::clamp(index, 0, static_cast<int>(lesson_->checkpoints.size()) - 1);
  const auto &c = lesson_->checkpoints[static_cast<std::size_t>(checkpoint_)];
  prediction_->setEditable(c.choices.empty()); // no choices: type the answer
  for (const auto &choice : c.choices)
    prediction_->addItem(qs(choice));
  prediction_->setCurrentIndex(-1);
  if (prediction_->lineEdit())
    prediction_->lineEdit()->setPlaceholderText(tr("your prediction"));
  refresh();
}

bool LessonGuide::recordingIs(const std::string &guestFile) const {
  return !session_.running() && session_.store().size() > 0 &&
         QFileInfo(session_.label()).absoluteFilePath() ==
             QFileInfo(qs(guestFile)).absoluteFilePath();
}

void LessonGuide::goToStep() {
  if (!lesson_ || lesson_->steps.empty())
    return;
  const auto *g = guestNamed(lesson_->steps[static_cast<std::size_t>(step_)].guest);
  if (!g)
    return;
  pending_ = Pending::Step;
  if (recordingIs(g->file))
    finishStep();
  else
    emit runGuestRequested(qs(g->file));
}

void LessonGuide::finishStep() {
  pending_ = Pending::None;
  const auto &st = lesson_->steps[static_cast<std::size_t>(step_)];
  if (st.runTo) {
    const std::size_t at = lessons::findEvent(*st.runTo, session_.store().events());
    if (at == session_.store().size()) {
      result_->setText(tr("This run has no event '%1'.").arg(qs(st.runTo->text)));
      return;
    }
    session_.scrubTo(at + 1);
  }
  if (!st.view.empty())
    emit viewRequested(qs(st.view));
}

void LessonGuide::setPrediction(const QString &text) {
  const int i = prediction_->findText(text);
  if (i >= 0)
    prediction_->setCurrentIndex(i);
  else if (prediction_->isEditable())
    prediction_->setEditText(text);
}

void LessonGuide::checkPrediction() {
  if (!lesson_ || lesson_->checkpoints.empty())
    return;
  if (prediction_->currentText().trimmed().isEmpty()) {
    result_->setText(tr("Predict first: choose or type an answer, then run to check it."));
    return;
  }
  const auto *g = guestNamed(lesson_->checkpoints[static_cast<std::size_t>(checkpoint_)].guest);
  if (!g)
    return;
  pending_ = Pending::Check;
  if (recordingIs(g->file))
    finishCheck();
  else
    emit runGuestRequested(qs(g->file));
}

void LessonGuide::finishCheck() {
  pending_ = Pending::None;
  const auto &c = lesson_->checkpoints[static_cast<std::size_t>(checkpoint_)];
  const QString prediction = prediction_->currentText().trimmed();
  const CheckpointVerdict v =
      desktop::checkPrediction(c, session_.store().events(), prediction.toStdString());
  if (!v.answered) {
    verdict_.reset();
    result_->setText(tr("The trace of this run has no event the question asks about."));
    return;
  }
  verdict_ = v.correct;
  predicted_ = prediction;
  traceSays_ = qs(v.traceSays);
  showVerdict();
}

void LessonGuide::showVerdict() {
  if (!verdict_ || !lesson_ || lesson_->checkpoints.empty())
    return;
  const auto &c = lesson_->checkpoints[static_cast<std::size_t>(checkpoint_)];
  const QString explain = qs(c.explain.in(lang().toStdString()));
  result_->setText((*verdict_ ? tr("Right: you predicted %1, and the trace says %2.")
                              : tr("Not quite: you predicted %1, the trace says %2."))
                       .arg(predicted_, traceSays_) +
                   (explain.isEmpty() ? QString() : QStringLiteral("\n") + explain));
}

QString LessonGuide::verdictText() const { return result_->text(); }

void LessonGuide::onRunState() {
  if (pending_ == Pending::None || session_.running() || !lesson_)
    return;
  if (pending_ == Pending::Step)
    finishStep();
  else
    finishCheck();
}

void LessonGuide::retranslate() {
  prevStep_->setText(tr("◀ Step"));
  nextStep_->setText(tr("Step ▶"));
  go_->setText(tr("Go there"));
  go_->setToolTip(tr("Run the step's guest and move to the event the step is about"));
  prevCheck_->setText(tr("◀"));
  nextCheck_->setText(tr("▶"));
  check_->setText(tr("Run and check"));
  check_->setToolTip(tr("Run the guest and check your prediction against the recorded trace"));
  setToolTip(tr("What am I looking at: the lesson's steps (each goes to an event and shows a "
                "view) and its checkpoints: predict the answer, then run and check it against "
                "the trace."));
  showVerdict(); // in the new language
  refresh();
}

void LessonGuide::refresh() {
  const bool have = lesson_.has_value();
  const std::string l = lang().toStdString();
  title_->setText(have ? tr("Lesson %1: %2").arg(lesson_->id).arg(qs(lesson_->title.in(l)))
                       : tr("Open a lesson's guest to follow its steps and checkpoints."));
  const int steps = have ? static_cast<int>(lesson_->steps.size()) : 0;
  const int checks = have ? static_cast<int>(lesson_->checkpoints.size()) : 0;
  stepHead_->setText(steps ? tr("Step %1 of %2").arg(step_ + 1).arg(steps) : QString());
  stepText_->setText(steps ? qs(lesson_->steps[static_cast<std::size_t>(step_)].text.in(l))
                           : QString());
  checkHead_->setText(checks ? tr("Checkpoint %1 of %2").arg(checkpoint_ + 1).arg(checks)
                             : QString());
  question_->setText(
      checks ? qs(lesson_->checkpoints[static_cast<std::size_t>(checkpoint_)].question.in(l))
             : QString());
  for (QWidget *w : {static_cast<QWidget *>(prevStep_), static_cast<QWidget *>(nextStep_),
                     static_cast<QWidget *>(go_)})
    w->setVisible(steps > 0);
  for (QWidget *w : {static_cast<QWidget *>(prevCheck_), static_cast<QWidget *>(nextCheck_),
                     static_cast<QWidget *>(check_), static_cast<QWidget *>(prediction_)})
    w->setVisible(checks > 0);
  prevStep_->setEnabled(step_ > 0);
  nextStep_->setEnabled(step_ + 1 < steps);
  prevCheck_->setEnabled(checkpoint_ > 0);
  nextCheck_->setEnabled(checkpoint_ + 1 < checks);
}

} // namespace ringside::desktop
