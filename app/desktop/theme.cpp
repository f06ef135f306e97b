#include "theme.h"

#include <QApplication>
#include <QPalette>
#include <QStyleFactory>

namespace ringside::desktop {

namespace {

Theme makeLight() {
  Theme t;
  t.id = ThemeId::Light;
  t.background = QColor(QRgb(0xFAFAF7));
  t.panel = QColor(QRgb(0xFFFFFF));
  t.text = QColor(QRgb(0x1D232B));
  t.muted = QColor(QRgb(0x6B7480));
  t.grid = QColor(QRgb(0xD8DCE1));
  t.accent = QColor(QRgb(0x2A6FDB));
  t.highlight = QColor(QRgb(0xFFE58A));
  t.changed = QColor(QRgb(0xFFB347));
  t.error = QColor(QRgb(0xC62828));
  t.root = QColor(QRgb(0xFBE3D6));
  t.guest = QColor(QRgb(0xDCEBFA));
  t.rings = {QColor(QRgb(0xF4A38A)), QColor(QRgb(0xF7C98B)), QColor(QRgb(0xC9E3A5)),
             QColor(QRgb(0xA9D3EE))};
  return t;
}

Theme makeDark() {
  Theme t;
  t.id = ThemeId::Dark;
  t.background = QColor(QRgb(0x1B1F24));
  t.panel = QColor(QRgb(0x252A31));
  t.text = QColor(QRgb(0xE6E8EB));
  t.muted = QColor(QRgb(0x9AA3AE));
  t.grid = QColor(QRgb(0x3A414A));
  t.accent = QColor(QRgb(0x5EA3FF));
  t.highlight = QColor(QRgb(0x6B5A12));
  t.changed = QColor(QRgb(0xC77A12));
  t.error = QColor(QRgb(0xFF6B6B));
  t.root = QColor(QRgb(0x4A2C22));
  t.guest = QColor(QRgb(0x1F3650));
  t.rings = {QColor(QRgb(0x9C4A36)), QColor(QRgb(0x9A7132)), QColor(QRgb(0x5E7F3A)),
             QColor(QRgb(0x2F6A8F))};
  return t;
}

Theme makePresenter() {
  // Black, white and saturated colours: readable from the back of a lecture hall.
  Theme t;
  t.id = ThemeId::Presenter;
  t.background = QColor(QRgb(0x000000));
  t.panel = QColor(QRgb(0x0A0A0A));
  t.text = QColor(QRgb(0xFFFFFF));
  t.muted = QColor(QRgb(0xD0D0D0));
  t.grid = QColor(QRgb(0x707070));
  t.accent = QColor(QRgb(0xFFD400));
  t.highlight = QColor(QRgb(0x0050B0));
  t.changed = QColor(QRgb(0xFF8C00));
  t.error = QColor(QRgb(0xFF5050));
  t.root = QColor(QRgb(0x5A0000));
  t.guest = QColor(QRgb(0x002A66));
  t.rings = {QColor(QRgb(0xD62828)), QColor(QRgb(0xF77F00)), QColor(QRgb(0x2A9D3A)),
             QColor(QRgb(0x1F6FEB))};
  t.fontScale = 1.6;
  return t;
}

Theme g_current = makeLight();

QPalette paletteFor(const Theme &t) {
  QPalette p;
  p.setColor(QPalette::Window, t.background);
  p.setColor(QPalette::WindowText, t.text);
  p.setColor(QPalette::Base, t.panel);
  p.setColor(QPalette::AlternateBase, t.background);
  p.setColor(QPalette::Text, t.text);
  p.setColor(QPalette::Button, t.panel);
  p.setColor(QPalette::ButtonText, t.text);
  p.setColor(QPalette::ToolTipBase, t.panel);
  p.setColor(QPalette::ToolTipText, t.text);
  p.setColor(QPalette::Highlight, t.accent);
  p.setColor(QPalette::HighlightedText, t.background);
  p.setColor(QPalette::PlaceholderText, t.muted);
  p.setColor(QPalette::Disabled, QPalette::Text, t.muted);
  p.setColor(QPalette::Disabled, QPalette::ButtonText, t.muted);
  p.setColor(QPalette::Disabled, QPalette::WindowText, t.muted);
  return p;
}

} // namespace

const Theme &Theme::current() { return g_current; }

void Theme::apply(ThemeId id, QApplication &app) {
  g_current = id == ThemeId::Dark        ? makeDark()
              : id == ThemeId::Presenter ? makePresenter()
                                         : makeLight();
  app.setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
  app.setPalette(paletteFor(g_current));
  QFont f = viewFont(10);
  app.setFont(f);
}

QString Theme::key(ThemeId id) {
  switch (id) {
  case ThemeId::Dark:
    return QStringLiteral("dark");
  case ThemeId::Presenter:
    return QStringLiteral("presenter");
  case ThemeId::Light:
    break;
  }
  return QStringLiteral("light");
}

ThemeId Theme::fromKey(const QString &key) {
  if (key == QLatin1String("dark"))
    return ThemeId::Dark;
  if (key == QLatin1String("presenter"))
    return ThemeId::Presenter;
  return ThemeId::Light;
}

QFont viewFont(double points, bool bold) {
  QFont f;
  // Noto Sans CJK SC covers Latin and Chinese with matching metrics (fonts-noto-cjk).
  f.setFamilies({QStringLiteral("Noto Sans CJK SC"), QStringLiteral("Noto Sans"),
                 QStringLiteral("DejaVu Sans"), QStringLiteral("WenQuanYi Micro Hei")});
  f.setPointSizeF(points * Theme::current().fontScale);
  f.setBold(bold);
  return f;
}

QFont monoFont(double points) {
  QFont f;
  f.setFamilies({QStringLiteral("Noto Sans Mono CJK SC"), QStringLiteral("DejaVu Sans Mono"),
                 QStringLiteral("Noto Mono")});
  f.setStyleHint(QFont::Monospace);
  f.setPointSizeF(points * Theme::current().fontScale);
  return f;
}

} // namespace ringside::desktop
