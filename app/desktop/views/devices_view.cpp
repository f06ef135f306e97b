#include "views/devices_view.h"

#include "session.h"
#include "theme.h"

#include <QPainter>
#include <array>

namespace ringside::desktop {

namespace {
/// The 16 CGA text colours, by attribute nibble.
constexpr std::array<uint32_t, 16> kCga = {
    0x000000, 0x0000AA, 0x00AA00, 0x00AAAA, 0xAA0000, 0xAA00AA, 0xAA5500, 0xAAAAAA,
    0x555555, 0x5555FF, 0x55FF55, 0x55FFFF, 0xFF5555, 0xFF55FF, 0xFFFF55, 0xFFFFFF};
} // namespace

DevicesView::DevicesView(Session &session, QWidget *parent) : ViewBase(session, parent) {
  setObjectName(key());
  setMinimumSize(320, 140);
  setToolTip(helpText());
}

QString DevicesView::helpText() const {
  return tr("What am I looking at: what the guest wrote to its devices up to the current event: "
            "text on the debug console (port 0xE9) or serial port (console events), and the "
            "VGA text screen at 0xB8000 (each character a memory-mapped write, mmio events).");
}

QString DevicesView::consoleText() const {
  const auto &all = session_.store().consoleText();
  const auto n = std::min<std::size_t>(session_.state().consoleLength, all.size());
  return QString::fromUtf8(all.data(), static_cast<int>(n));
}

QString DevicesView::vgaRow(int row) const {
  QString text;
  const auto &vga = session_.state().vga;
  for (int c = 0; c < 80; ++c) {
    const uint8_t ch = vga[(static_cast<std::size_t>(row) * 80 + static_cast<std::size_t>(c)) * 2];
    text += QChar(ch >= 0x20 && ch < 0x7F ? ch : ' ');
  }
  return text;
}

void DevicesView::render(QPainter &p, const QRect &area) {
  const Theme &t = Theme::current();
  const MachineState &s = session_.state();
  p.fillRect(area, t.background);
  int top = drawHeader(p, area, tr("Console (port 0xE9 / serial)"));

  // The VGA screen keeps its 80:25 cell shape; the console gets the rest above it.
  // Rows below the last one written stay blank: leave them out when space is short.
  int rows = 5;
  for (int r = 0; r < 25; ++r)
    for (int c = 0; c < 80; ++c)
      if (s.vga[(static_cast<std::size_t>(r) * 80 + static_cast<std::size_t>(c)) * 2] != 0)
        rows = std::max(rows, r + 1);
  const double free = area.height() - top - 40 * t.fontScale;
  const double wide = (area.width() - 16) / 80.0 * 2.0;
  if (wide * 25 <= free * 0.62)
    rows = 25;
  const double cellH = std::max(6.0, std::min(wide, free * 0.62 / rows));
  const double cellW = cellH / 2.0;
  const double vgaW = cellW * 80;
  const double vgaH = cellH * rows;
  const double consoleH = std::max(40.0, area.height() - top - vgaH - 40 * t.fontScale);
  const QRectF consoleRect(area.left() + 8, area.top() + top, area.width() - 16, consoleH);
  p.fillRect(consoleRect, t.panel);
  p.setPen(t.grid);
  p.drawRect(consoleRect);
  p.setFont(monoFont(10));
  p.setPen(t.text);
  // The last lines that fit.
  const int fit =
      std::max(1, static_cast<int>((consoleRect.height() - 8) / p.fontMetrics().height()));
  // Only the tail that fits: a flooding guest may have written megabytes.
  const auto &all = session_.store().consoleText();
  std::size_t end = std::min<std::size_t>(s.consoleLength, all.size());
  if (end > 0 && all[end - 1] == '\n')
    --end; // a finished line, not an empty one to show
  std::size_t begin = end;
  for (int newlines = 0; begin > 0 && end - begin < std::size_t{64} * 1024; --begin)
    if (all[begin - 1] == '\n' && ++newlines == fit)
      break;
  const QStringList lines =
      QString::fromUtf8(all.data() + begin, static_cast<int>(end - begin)).split(QLatin1Char('\n'));
  const int first = std::max(0, static_cast<int>(lines.size()) - fit);
  for (int i = first; i < lines.size(); ++i)
    p.drawText(QPointF(consoleRect.left() + 6,
                       consoleRect.top() + 4 + (i - first + 0.8) * p.fontMetrics().height()),
               lines[i]);

  const QRect vgaHeader(area.left(), static_cast<int>(consoleRect.bottom() + 4), area.width(), 30);
  const int vgaTop =
      vgaHeader.top() + drawHeader(p, vgaHeader,
                                   !s.vgaWritten ? tr("VGA text screen (0xB8000): untouched")
                                   : rows < 25
                                       ? tr("VGA text screen (0xB8000), rows 1–%1 of 25").arg(rows)
                                       : tr("VGA text screen (0xB8000)"));
  const QRectF screen(area.left() + 8, vgaTop, vgaW, vgaH);
  p.fillRect(screen, Qt::black);
  QFont f = monoFont(8);
  f.setPixelSize(std::max(5, static_cast<int>(cellH * 0.8)));
  p.setFont(f);
  // One rectangle and one string per run of cells with the same attribute; the font's letter
  // spacing puts each character in its cell.
  const double advance = QFontMetricsF(f).horizontalAdvance(QLatin1Char('M'));
  f.setLetterSpacing(QFont::AbsoluteSpacing, cellW - advance);
  p.setFont(f);
  const double ascent = QFontMetricsF(f).ascent(), descent = QFontMetricsF(f).descent();
  for (int row = 0; row < rows; ++row) {
    int col = 0;
    while (col < 80) {
      const auto at = [&](int c) {
        return (static_cast<std::size_t>(row) * 80 + static_cast<std::size_t>(c)) * 2;
      };
      const uint8_t attr = s.vga[at(col) + 1];
      int endCol = col;
      QString run;
      while (endCol < 80 && s.vga[at(endCol) + 1] == attr) {
        const uint8_t ch = s.vga[at(endCol)];
        run += QChar(ch > 0x20 && ch < 0x7F ? ch : ' ');
        ++endCol;
      }
      const bool blank = run.trimmed().isEmpty();
      if (attr != 0 || !blank) {
        const QRectF r(screen.left() + col * cellW, screen.top() + row * cellH,
                       (endCol - col) * cellW, cellH);
        p.fillRect(r, QColor::fromRgb(kCga[attr >> 4 & 0x7]));
        if (!blank) {
          p.setPen(QColor::fromRgb(kCga[attr & 0xF]));
          p.drawText(
              QPointF(r.left() + (cellW - advance) / 2, r.top() + (cellH + ascent - descent) / 2),
              run);
        }
      }
      col = endCol;
    }
  }
}

} // namespace ringside::desktop
