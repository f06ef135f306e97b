#include "screenshot_tour.h"

#include "editor/source_editor.h"
#include "language.h"
#include "main_window.h"
#include "session.h"
#include "views/view_base.h"

#include <QCoreApplication>
#include <QDir>
#include <QDockWidget>
#include <QElapsedTimer>
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
} // namespace

int runScreenshotTour(MainWindow &window, const QString &guest, const QString &dir) {
  QTextStream err(stderr);
  QDir().mkpath(dir);
  window.resize(1440, 900);
  window.show();
  if (!window.openGuest(guest) || !window.runGuest() || !waitForRunToFinish(window, 30000)) {
    err << "screenshots: " << guest << " did not run to its end\n";
    return 1;
  }
  int failures = 0;
  auto save = [&](QWidget *w, const QString &name) {
    QCoreApplication::processEvents();
    if (!w->grab().save(QDir(dir).filePath(name + QStringLiteral(".png")), "PNG", 0)) {
      err << "screenshots: cannot write " << name << "\n";
      ++failures;
    }
  };
  for (const char *lang : {"en", "zh_CN"}) {
    window.switchLanguage(QString::fromLatin1(lang));
    for (const char *theme : {"light", "dark", "presenter"}) {
      const QString t = QString::fromLatin1(theme);
      window.setPresenterMode(t == QLatin1String("presenter"));
      if (t != QLatin1String("presenter"))
        window.setTheme(Theme::fromKey(t));
      QThread::msleep(600); // let the newest arrow finish drawing
      const QString suffix = QStringLiteral("-%1-%2").arg(t, QString::fromLatin1(lang));
      save(&window, QStringLiteral("window") + suffix);
      for (const auto &[key, view] : window.views()) {
        raiseDockOf(view); // a view in a hidden tab has no size of its own
        save(view, key + suffix);
      }
      raiseDockOf(window.view(QStringLiteral("rings")));
    }
    window.setPresenterMode(false);
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
