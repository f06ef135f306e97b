// The main window's file work: opening and saving guests, exporting views and traces, opening a
// recorded trace, and the settings kept between sessions.
#include "main_window.h"

#include "controls/run_pickers.h"
#include "editor/source_editor.h"
#include "language.h"
#include "lesson_browser.h"
#include "lesson_guide.h"
#include "session.h"
#include "trace/trace_json.h"
#include "view_export.h"
#include "views/view_base.h"

#include <QComboBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QSettings>
#include <QSlider>
#include <QStatusBar>

namespace ringside::desktop {

bool MainWindow::openGuest(const QString &given) {
  QString path = given;
  if (QFileInfo(path).isDir()) {
    const QStringList guests =
        QDir(path).entryList({QStringLiteral("*.asm")}, QDir::Files, QDir::Name);
    if (guests.isEmpty()) {
      editor_->setProblem(0, tr("%1: no .asm guest in this lesson").arg(path));
      return false;
    }
    path = QDir(path).filePath(guests.front());
  }
  QFile file(path);
  if (!file.open(QIODevice::ReadOnly)) {
    editor_->setProblem(0, tr("%1: %2").arg(path, file.errorString()));
    return false;
  }
  guestPath_ = QFileInfo(path).absoluteFilePath();
  editor_->setPlainText(QString::fromUtf8(file.readAll()));
  editor_->setProblem(0, {});
  editor_->setCurrentLine(0);
  pickers_->select(lessons_->flagsFor(guestPath_)); // the lesson's --virt, until changed
  guide_->showLessonOf(guestPath_);
  retranslate();
  return true;
}

void MainWindow::saveGuest() {
  if (guestPath_.isEmpty())
    return;
  QFile file(guestPath_);
  if (file.open(QIODevice::WriteOnly | QIODevice::Truncate))
    file.write(editor_->toPlainText().toUtf8());
  else
    statusBar()->showMessage(tr("cannot save %1: %2").arg(guestPath_, file.errorString()), 8000);
}

void MainWindow::exportCurrentView(ViewBase *view) {
  const QString path =
      QFileDialog::getSaveFileName(this, tr("Export view"), view->key() + QStringLiteral(".png"),
                                   tr("Image (*.png);;SVG (*.svg)"));
  if (path.isEmpty())
    return;
  const QString error = exportView(*view, path);
  statusBar()->showMessage(error.isEmpty() ? tr("wrote %1").arg(path) : error, 8000);
}

void MainWindow::exportTraceFile() {
  const QString path = QFileDialog::getSaveFileName(
      this, tr("Export trace"), QStringLiteral("trace.jsonl"), tr("JSON Lines (*.jsonl)"));
  if (path.isEmpty())
    return;
  const QString error = exportTrace(session_->store(), path);
  statusBar()->showMessage(error.isEmpty() ? tr("wrote %1").arg(path) : error, 8000);
}

void MainWindow::openTraceFile() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open trace"), QString(), tr("JSON Lines (*.jsonl)"));
  if (path.isEmpty())
    return;
  try {
    session_->loadRecording(readJsonl(path.toStdString()), path);
  } catch (const std::exception &e) {
    statusBar()->showMessage(QString::fromStdString(e.what()), 10000);
  }
}

void MainWindow::restoreSettings() {
  QSettings s;
  restoreGeometry(s.value(QStringLiteral("window/geometry")).toByteArray());
  restoredLayout_ = restoreState(s.value(QStringLiteral("window/state")).toByteArray());
  setTheme(Theme::fromKey(s.value(QStringLiteral("theme"), QStringLiteral("light")).toString()));
  switchLanguage(s.value(QStringLiteral("language"), QStringLiteral("en")).toString());
  setSpeedSlider(s.value(QStringLiteral("speed"), 100).toInt());
  setBackendChoice(s.value(QStringLiteral("backend"), QStringLiteral("emu")).toString());
}

void MainWindow::saveSettings() {
  QSettings s;
  s.setValue(QStringLiteral("window/geometry"), saveGeometry());
  s.setValue(QStringLiteral("window/state"), saveState());
  s.setValue(QStringLiteral("theme"), Theme::key(presenter_ ? themeBeforePresenter_ : theme_));
  s.setValue(QStringLiteral("language"), currentLanguage());
  s.setValue(QStringLiteral("speed"), speed_->value());
  s.setValue(QStringLiteral("backend"), backend_->currentData().toString());
  s.setValue(QStringLiteral("guest"), guestPath_);
}

} // namespace ringside::desktop
