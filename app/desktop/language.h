#pragma once
// English (the source strings) and Simplified Chinese (assets/translations/ringside_zh_CN.ts,
// compiled into the binary), switchable while the app runs: installing a translator sends
// every widget a LanguageChange event and they re-read their strings.
#include <QString>

namespace ringside::desktop {

/// "en" or "zh_CN"; anything else falls back to English. Returns false if the translation
/// could not be loaded (English is then used).
bool setLanguage(const QString &code);
QString currentLanguage();

} // namespace ringside::desktop
