// ringside-app: the desktop app (docs/app.md).
#include "language.h"
#include "lesson_browser.h"
#include "main_window.h"
#include "screenshot_tour.h"
#include "theme.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QSettings>

using namespace ringside::desktop;

namespace {

/// The lessons folder: next to the source tree the app was built from, unless given.
QString lessonsRoot(const QString &given) {
  if (!given.isEmpty())
    return given;
  return QStringLiteral(RINGSIDE_LESSONS_DIR);
}

} // namespace

int main(int argc, char **argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName(QStringLiteral("Ringside"));
  QApplication::setApplicationName(QStringLiteral("ringside-app"));
  QApplication::setApplicationVersion(QStringLiteral("0.1"));

  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("Watch a guest being virtualized."));
  cli.addHelpOption();
  cli.addPositionalArgument(QStringLiteral("guest"),
                            QStringLiteral("A lesson folder or .asm guest to open"));
  const QCommandLineOption lessons(QStringLiteral("lessons"), QStringLiteral("The lessons folder"),
                                   QStringLiteral("DIR"));
  const QCommandLineOption run(QStringLiteral("run"), QStringLiteral("Run the guest at start"));
  const QCommandLineOption shots(QStringLiteral("screenshots"),
                                 QStringLiteral("Save screenshots of every view to DIR and quit"),
                                 QStringLiteral("DIR"));
  const QCommandLineOption figures(
      QStringLiteral("figures"),
      QStringLiteral("Export slides-friendly figures (PNG and SVG) from real runs to DIR and quit"),
      QStringLiteral("DIR"));
  const QCommandLineOption language(QStringLiteral("language"), QStringLiteral("en or zh_CN"),
                                    QStringLiteral("CODE"));
  cli.addOptions({lessons, run, shots, figures, language});
  cli.process(app);

  const QString root = lessonsRoot(cli.value(lessons));
  Theme::apply(ThemeId::Light, app);
  if (cli.isSet(shots) || cli.isSet(figures)) {
    // A fresh, fixed layout for the documentation, whatever the user's settings are.
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope,
                       cli.value(cli.isSet(shots) ? shots : figures) +
                           QStringLiteral("/.settings"));
  }
  MainWindow window(root);
  QString guest = cli.positionalArguments().value(0);
  if (guest.isEmpty()) {
    const auto all = findLessons(root); // the first lesson's first guest
    if (!all.empty())
      guest = all.front().guests.front();
  }
  if (cli.isSet(language))
    window.switchLanguage(cli.value(language));
  const QString sourceRoot = QStringLiteral(RINGSIDE_SOURCE_DIR);
  if (cli.isSet(shots))
    return runScreenshotTour(window, guest, cli.value(shots), sourceRoot);
  if (cli.isSet(figures))
    return exportFigures(window, sourceRoot, cli.value(figures));
  window.show();
  if (!guest.isEmpty() && window.openGuest(guest) && cli.isSet(run))
    window.runGuest();
  return app.exec();
}
