#pragma once
// Light, dark and presenter (high contrast, large type) looks. Views take every colour and
// font size from the current theme, so one switch restyles the whole window.
#include <QColor>
#include <QFont>
#include <QString>
#include <array>

class QApplication;

namespace ringside::desktop {

enum class ThemeId { Light, Dark, Presenter };

struct Theme {
  ThemeId id = ThemeId::Light;
  QColor background, panel, text, muted, grid, accent, highlight, changed, error, root, guest;
  std::array<QColor, 4> rings; ///< fill of ring 0..3
  double fontScale = 1.0;      ///< presenter mode: larger everything

  static const Theme &current();
  static void apply(ThemeId id, QApplication &app);
  static QString key(ThemeId id);             ///< "light", "dark", "presenter" (settings)
  static ThemeId fromKey(const QString &key); ///< unknown keys give Light
};

/// A font for views: the UI family with CJK fallbacks, `points` scaled by the theme.
QFont viewFont(double points, bool bold = false);
QFont monoFont(double points);

} // namespace ringside::desktop
