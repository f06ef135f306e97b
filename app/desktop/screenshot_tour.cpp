#include "screenshot_tour.h"

#include "editor/source_editor.h"
#include "language.h"
#include "lesson_guide.h"
#include "main_window.h"
#include "session.h"
#include "trace/trace_json.h"
#include "view_export.h"
#include "views/compare_view.h"
#include "views/page_walk_view.h"
#include "views/vmcs_view.h"

#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QTextStream>
#include <QThread>

namespace ringside::desktop {

bool waitForRunToFinish(MainWindow &window, int timeoutMs) {
  QElapsedTimer clock;
  clock.start();
  Session &s = window.session();
  while (clock.elapsed() < timeoutMs) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    if (!s.running() && s.cursor() == s.store().size() && s.store().size() > 0)
      return true;
    QThread::msleep(5);
  }
  return false;
}

namespace {
void raiseDockOf(QWidget *view) {
  for (QWidget *w = view; w; w = w->parentWidget())
    if (auto *dock = qobject_cast<QDockWidget *>(w))
      dock->raise();
}

QString tinyVmm(const QString &sourceRoot) {
  return QDir(sourceRoot).filePath(QStringLiteral("lessons/07-vtx-lifecycle/tiny_vmm.asm"));
}

/// Fills the Compare view with the guest's comparison (waits for the worker).
bool compareNow(MainWindow &window) {
  auto *compare = static_cast<CompareView *>(window.view(QStringLiteral("compare")));
  if (!window.compareGuest())
    return false;
  QElapsedTimer clock;
  clock.start();
  while (compare->busy() && clock.elapsed() < 120000) {
    QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
    QThread::msleep(5);
  }
  compare->collect();
  return !compare->rows().empty();
}

bool loadWalk(MainWindow &window, const QString &sourceRoot,
              const QString &file = QStringLiteral("walk_2d_cold.jsonl")) {
  const QString path = QDir(sourceRoot).filePath(QStringLiteral("tests/desktop/data/") + file);
  if (!QFileInfo::exists(path))
    return false;
  window.session().loadRecording(readJsonl(path.toStdString()), path);
  window.session().scrubTo(window.session().store().size());
  static_cast<PageWalkView *>(window.view(QStringLiteral("pagewalk")))->finishAnimation();
  return true;
}

/// Runs the tiny VMM to its end and shows the guest hypervisor's VMCS.
bool runNested(MainWindow &window, const QString &sourceRoot) {
  const QString path = tinyVmm(sourceRoot);
  if (!QFileInfo::exists(path) || !window.openGuest(path) || !window.runGuest() ||
      !waitForRunToFinish(window, 30000))
    return false;
  const auto &s = window.session().state();
  if (!s.guestVmcs.empty())
    static_cast<VmcsView *>(window.view(QStringLiteral("vmcs")))
        ->setRegion(s.guestVmcs.front().region);
  return true;
}

/// Every language × theme, calling `shoot(suffix)` in each.
template <class Shoot> void everyLook(MainWindow &window, Shoot shoot) {
  for (const char *lang : {"en", "zh_CN"}) {
    window.switchLanguage(QString::fromLatin1(lang));
    for (const char *theme : {"light", "dark", "presenter"}) {
      const QString t = QString::fromLatin1(theme);
      window.setPresenterMode(t == QLatin1String("presenter"));
      if (t != QLatin1String("presenter"))
        window.setTheme(Theme::fromKey(t));
      QThread::msleep(600); // let the newest arrow finish drawing
      QCoreApplication::processEvents();
      shoot(QStringLiteral("-%1-%2").arg(t, QString::fromLatin1(lang)));
    }
    window.setPresenterMode(false);
  }
}

} // namespace

int runScreenshotTour(MainWindow &window, const QString &guest, const QString &dir,
                      const QString &sourceRoot) {
  QTextStream err(stderr);
  QDir().mkpath(dir);
  window.resize(1440, 900);
  window.show();
  if (!window.openGuest(guest) || !window.runGuest() || !waitForRunToFinish(window, 30000)) {
    err << "screenshots: " << guest << " did not run to its end\n";
    return 1;
  }
  if (!compareNow(window))
    err << "screenshots: the comparison of " << guest << " made no rows\n";
  // The lesson guide with its first checkpoint predicted and checked against this run.
  LessonGuide &guide = window.guide();
  guide.setStep(0);
  guide.setCheckpoint(0);
  guide.setPrediction(QStringLiteral("30"));
  guide.checkPrediction();
  int failures = 0;
  auto save = [&](QWidget *w, const QString &name) {
    QCoreApplication::processEvents();
    if (!w->grab().save(QDir(dir).filePath(name + QStringLiteral(".png")), "PNG", 0)) {
      err << "screenshots: cannot write " << name << "\n";
      ++failures;
    }
  };
  everyLook(window, [&](const QString &suffix) {
    raiseDockOf(window.view(QStringLiteral("rings"))); // Compare raised itself when it ran
    QCoreApplication::processEvents();
    save(&window, QStringLiteral("window") + suffix);
    if (!suffix.startsWith(QLatin1String("-presenter"))) { // presenter mode hides the guide
      raiseDockOf(&guide);
      save(&guide, QStringLiteral("guide") + suffix);
      raiseDockOf(window.view(QStringLiteral("registers")));
    }
    for (const auto &[key, view] : window.views()) {
      raiseDockOf(view); // a view in a hidden tab has no size of its own
      save(view, key + suffix);
    }
    raiseDockOf(window.view(QStringLiteral("rings")));
  });
  // The 2-D walk, from a recorded trace (no run makes one until --mmu reaches the backend).
  if (loadWalk(window, sourceRoot)) {
    everyLook(window, [&](const QString &suffix) {
      auto *walk = static_cast<PageWalkView *>(window.view(QStringLiteral("pagewalk")));
      raiseDockOf(walk);
      walk->finishAnimation();
      save(walk, QStringLiteral("pagewalk-2d") + suffix);
    });
  } else {
    err << "screenshots: no recorded 2-D walk under " << sourceRoot << "\n";
  }
  // Lesson 11's first step: the cold 2-D walk of VA 0x40000000 that lessons/11-ept/ept.asm
  // makes under --mmu ept (24 references), recorded from that run.
  if (loadWalk(window, sourceRoot, QStringLiteral("walk_lesson11.jsonl"))) {
    everyLook(window, [&](const QString &suffix) {
      auto *walk = static_cast<PageWalkView *>(window.view(QStringLiteral("pagewalk")));
      raiseDockOf(walk);
      walk->finishAnimation();
      save(walk, QStringLiteral("pagewalk-lesson11") + suffix);
    });
  }
  // Shadow paging, from a recorded trace: the guest's walk above the shadow walk.
  if (loadWalk(window, sourceRoot, QStringLiteral("walk_shadow.jsonl"))) {
    everyLook(window, [&](const QString &suffix) {
      QWidget *walk = window.view(QStringLiteral("pagewalk"));
      raiseDockOf(walk);
      save(walk, QStringLiteral("pagewalk-shadow") + suffix);
    });
  }
  // A guest-written hypervisor: the nesting level and its own VMCS.
  if (runNested(window, sourceRoot)) {
    everyLook(window, [&](const QString &suffix) {
      for (const char *key : {"rings", "vmcs"}) {
        QWidget *view = window.view(QString::fromLatin1(key));
        raiseDockOf(view);
        save(view, QString::fromLatin1(key) + QStringLiteral("-nested") + suffix);
      }
    });
    window.openGuest(guest);
  }
  // A guest that does not assemble: the message sits at its line in the editor.
  window.switchLanguage(QStringLiteral("en"));
  window.setTheme(ThemeId::Light);
  QString text = window.editor().toPlainText();
  text.replace(QStringLiteral("xor ax, ax"), QStringLiteral("xor ax, bogus"));
  window.editor().setPlainText(text);
  window.runGuest();
  save(&window.editor(), QStringLiteral("editor-error-light-en"));
  return failures ? 1 : 0;
}

} // namespace ringside::desktop

namespace ringside::desktop {

int exportFigures(MainWindow &window, const QString &sourceRoot, const QString &dir) {
  QTextStream err(stderr);
  QDir().mkpath(dir);
  window.resize(1600, 1000);
  window.show();
  window.setTheme(ThemeId::Light);
  int failures = 0;
  auto figure = [&](const QString &key, const QString &name) {
    ViewBase *view = window.view(key);
    raiseDockOf(view);
    QCoreApplication::processEvents();
    for (const char *ext : {".png", ".svg"}) {
      const QString error = exportView(*view, QDir(dir).filePath(name + QString::fromLatin1(ext)));
      if (!error.isEmpty()) {
        err << "figures: " << error << "\n";
        ++failures;
      }
    }
  };
  const QString hello = QDir(sourceRoot).filePath(QStringLiteral("lessons/00-hello/hello.asm"));
  for (const char *code : {"en", "zh_CN"}) {
    const QString lang = QString::fromLatin1(code);
    window.switchLanguage(lang);
    // Hello: the first VM exit on its OUT, then the whole run.
    if (!window.openGuest(hello) || !window.runGuest() || !waitForRunToFinish(window, 30000)) {
      err << "figures: " << hello << " did not run to its end\n";
      return 1;
    }
    Session &s = window.session();
    for (std::size_t i = 0; i < s.store().size(); ++i)
      if (const auto *exit = std::get_if<ExitEvent>(&s.store().at(i).body); exit) {
        s.scrubTo(i + 1);
        break;
      }
    QThread::msleep(500); // the exit's arrow drawn to its end
    figure(QStringLiteral("rings"), QStringLiteral("rings-first-exit-") + lang);
    figure(QStringLiteral("vmcs"), QStringLiteral("vmcs-first-exit-") + lang);
    s.scrubTo(s.store().size());
    figure(QStringLiteral("timeline"), QStringLiteral("timeline-hello-") + lang);
    figure(QStringLiteral("devices"), QStringLiteral("devices-hello-") + lang);
    if (compareNow(window))
      figure(QStringLiteral("compare"), QStringLiteral("compare-hello-") + lang);
    else
      ++failures;
    if (loadWalk(window, sourceRoot))
      figure(QStringLiteral("pagewalk"), QStringLiteral("pagewalk-2d-ept-") + lang);
    else
      ++failures;
    if (loadWalk(window, sourceRoot, QStringLiteral("walk_shadow.jsonl")))
      figure(QStringLiteral("pagewalk"), QStringLiteral("pagewalk-shadow-") + lang);
    else
      ++failures;
    if (runNested(window, sourceRoot)) {
      QThread::msleep(500);
      figure(QStringLiteral("rings"), QStringLiteral("rings-nested-") + lang);
    } else {
      ++failures;
    }
  }
  window.switchLanguage(QStringLiteral("en"));
  return failures ? 1 : 0;
}

} // namespace ringside::desktop
