#include "language.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QTranslator>

namespace ringside::desktop {

namespace {
QTranslator *g_app = nullptr;
QTranslator *g_qt = nullptr; ///< Qt's own strings (dialog buttons) from qt6-translations-l10n
QString g_code = QStringLiteral("en");
} // namespace

bool setLanguage(const QString &code) {
  auto *app = QCoreApplication::instance();
  if (g_app) {
    app->removeTranslator(g_app);
    app->removeTranslator(g_qt);
  } else {
    g_app = new QTranslator(app);
    g_qt = new QTranslator(app);
  }
  g_code = QStringLiteral("en");
  if (code != QLatin1String("zh_CN")) {
    QEvent change(QEvent::LanguageChange); // back to the source strings
    QCoreApplication::sendEvent(app, &change);
    return code == QLatin1String("en");
  }
  if (!g_app->load(QStringLiteral(":/i18n/ringside_zh_CN.qm")))
    return false;
  if (g_qt->load(QStringLiteral("qtbase_zh_CN"),
                 QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
    app->installTranslator(g_qt);
  app->installTranslator(g_app);
  g_code = code;
  return true;
}

QString currentLanguage() { return g_code; }

} // namespace ringside::desktop
