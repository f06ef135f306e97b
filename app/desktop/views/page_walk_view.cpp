#include "views/page_walk_view.h"

#include "session.h"
#include "theme.h"

#include <QPainter>
#include <QTimer>
#include <algorithm>
#include <array>

namespace ringside::desktop {

namespace {

constexpr int kMsPerReference = 70; ///< 24 references light up in about 1.7 s

QString hex(uint64_t v) { return QStringLiteral("0x") + QString::number(v, 16); }

QString pageSizeText(uint64_t bytes) {
  if (bytes >= (1ull << 30))
    return QStringLiteral("%1G").arg(bytes >> 30);
  if (bytes >= (1ull << 20))
    return QStringLiteral("%1M").arg(bytes >> 20);
  return QStringLiteral("%1K").arg(bytes >> 10);
}

/// What the SDM calls the table at `level` for a walk mode.
QString tableName(WalkMode mode, uint8_t level) {
  if (mode == WalkMode::Bits32)
    return level == 2 ? QStringLiteral("PD") : QStringLiteral("PT");
  switch (level) {
  case 5:
    return QStringLiteral("PML5");
  case 4:
    return mode == WalkMode::Ept ? QStringLiteral("EPT PML4") : QStringLiteral("PML4");
  case 3:
    return QStringLiteral("PDPT");
  case 2:
    return QStringLiteral("PD");
  default:
    return QStringLiteral("PT");
  }
}

QColor okColour() { return QColor(QRgb(0x2E9E5B)); }

/// The monospace font at 8.5 points, or smaller (down to 6) so the widest line fits `width`.
QFont fittingMono(const QString &lines, double width) {
  QFont f = monoFont(8.5);
  double widest = 0;
  for (const QString &l : lines.split(QLatin1Char('\n')))
    widest = std::max(widest, QFontMetricsF(f).horizontalAdvance(l));
  if (widest > width && widest > 0)
    f.setPointSizeF(std::max(6.0, f.pointSizeF() * width / widest * 0.92)); // hinting margin
  return f;
}

} // namespace

PageWalkView::PageWalkView(Session &session, QWidget *parent) : ViewBase(session, parent) {
  setObjectName(key());
  setMinimumSize(320, 200);
  setToolTip(helpText());
  connect(&session_, &Session::cursorChanged, this, &PageWalkView::onCursor);
  // A new recording may put a different walk at the same index: build the grid again.
  connect(&session_, &Session::runStateChanged, this, [this] { gridKey_ = UINT64_MAX - 1; });
  frames_.setInterval(kMsPerReference);
  connect(&frames_, &QTimer::timeout, this, [this] {
    update();
    if (litReferences() >= (grid_ ? grid_->references : 0))
      frames_.stop();
  });
}

QString PageWalkView::helpText() const {
  return tr("What am I looking at: the last page walk up to the current event (walk events). "
            "A walk of one table tree shows, level by level, the table read, the index and the "
            "entry. A 2-D walk (the guest's tables under EPT) is a grid: one row per guest "
            "level, one column per EPT level; every guest table address is itself translated "
            "through the EPT first. The cells light up in the order the processor reads them, "
            "with a running count. Right: the TLB entries the tlb events have filled and not "
            "flushed, with hits and misses.");
}

QSize PageWalkView::exportSize() const { return size().expandedTo(QSize(980, 460)); }

void PageWalkView::onCursor() {
  const MachineState &s = session_.state();
  if (s.lastWalkSeq == gridKey_)
    return;
  gridKey_ = s.lastWalkSeq;
  grid_.reset();
  animating_ = false;
  if (s.lastWalkSeq == kNever)
    return;
  grid_ = walkGridAt(session_.store(), s.walkGroupStart, s.lastWalkSeq);
  if (grid_ && grid_->guestSeen && grid_->references > 0) { // a whole 2-D walk: play it
    animating_ = true;
    animation_.start();
    frames_.start();
  }
}

int PageWalkView::litReferences() const {
  if (!grid_)
    return 0;
  if (!animating_ || !animation_.isValid())
    return grid_->references;
  return std::min<int>(grid_->references,
                       static_cast<int>(animation_.elapsed() / kMsPerReference) + 1);
}

void PageWalkView::render(QPainter &p, const QRect &area) {
  const Theme &t = Theme::current();
  const MachineState &s = session_.state();
  p.fillRect(area, t.background);
  if (s.lastWalkSeq == kNever && s.lastTlbSeq == kNever) {
    drawHeader(p, area, tr("Page walk: no walk events yet (paging is off, or none so far)"));
    return;
  }
  if (gridKey_ != s.lastWalkSeq) // rendered before the cursor signal (an export, a test)
    onCursor();
  QString header = tr("Page walk: no walk yet; the TLB so far");
  QString badge;
  if (s.lastWalkSeq != kNever) {
    const auto &w = std::get<WalkEvent>(session_.store().at(s.lastWalkSeq).body);
    badge = w.source == EventSource::Model ? tr("modelled")
                                           : QString::fromLatin1(eventSourceName(w.source));
    header = grid_ ? tr("Walk #%1 of %2 · 2-D walk %3 of %4 (guest tables under EPT)")
                         .arg(s.lastWalkSeq)
                         .arg(s.walks)
                         .arg(grid_->walkId)
                         .arg(hex(grid_->guestSeen ? grid_->gva : grid_->rowGpa.front()))
                   : tr("Walk #%1 of %2 · %3 walk of %4 (%5)")
                         .arg(s.lastWalkSeq)
                         .arg(s.walks)
                         .arg(QString::fromLatin1(walkPurposeName(w.purpose)), hex(w.gva),
                              QString::fromLatin1(walkModeName(w.mode)));
  }
  const int top = drawHeader(p, area, header, badge);
  const QRectF body = QRectF(area).adjusted(8, top + 4, -8, -6);
  const double tlbWidth = std::clamp(body.width() * 0.30, 200.0 * t.fontScale, 340.0 * t.fontScale);
  const bool side = body.width() - tlbWidth > 360 * t.fontScale;
  const QRectF main = side ? body.adjusted(0, 0, -tlbWidth - 10, 0) : body;
  if (s.lastWalkSeq != kNever) {
    if (grid_)
      drawGrid(p, main, *grid_);
    else
      drawWalks(p, main);
  }
  if (side)
    drawTlb(p, QRectF(main.right() + 10, body.top(), tlbWidth, body.height()));
}

void PageWalkView::drawWalks(QPainter &p, const QRectF &area) {
  const MachineState &s = session_.state();
  const auto walkAt = [&](uint64_t seq) -> const WalkEvent & {
    return std::get<WalkEvent>(session_.store().at(seq).body);
  };
  // Shadow paging: the guest's tables (the VMM walks them) above the shadow tables (the
  // processor walks them), side by side in time, when the trace has both.
  if (s.lastGuestWalkSeq != kNever && s.lastShadowWalkSeq != kNever) {
    const Theme &t = Theme::current();
    const double captionH = QFontMetricsF(viewFont(9, true)).height() + 4;
    const double half = area.height() / 2;
    const std::array<std::pair<uint64_t, QString>, 2> rows = {
        std::pair{
            s.lastGuestWalkSeq,
            tr("the guest's tables (event %1): what the guest set up").arg(s.lastGuestWalkSeq)},
        std::pair{
            s.lastShadowWalkSeq,
            tr("the shadow tables (event %1): what the processor walks").arg(s.lastShadowWalkSeq)}};
    const auto refs = [&](uint64_t seq) {
      return tr(" · %1 memory references").arg(walkAt(seq).memoryRefs);
    };
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const QRectF row(area.left(), area.top() + half * static_cast<double>(i), area.width(), half);
      p.setFont(viewFont(9, true));
      p.setPen(rows[i].first == s.lastWalkSeq ? t.accent : t.muted);
      p.drawText(QRectF(row.left(), row.top(), row.width(), captionH),
                 Qt::AlignLeft | Qt::AlignVCenter, rows[i].second + refs(rows[i].first));
      drawSingleWalk(p, row.adjusted(0, captionH, 0, 0), walkAt(rows[i].first), true);
    }
    return;
  }
  drawSingleWalk(p, area, walkAt(s.lastWalkSeq), false);
}

void PageWalkView::drawSingleWalk(QPainter &p, const QRectF &area, const WalkEvent &w,
                                  bool compact) {
  const Theme &t = Theme::current();
  const int n = std::min<int>(w.stepCount, static_cast<int>(w.steps.size()));
  const double gap = 22 * t.fontScale;
  const double boxW = std::max(70.0, (area.width() - gap * n) / std::max(1, n + 1));
  // Compact (two walks stacked): no footer, the caption above says the references.
  const double boxH =
      compact ? std::clamp(area.height() - 4, 40.0, 86 * t.fontScale) : 86 * t.fontScale;
  const double y = area.top() + (compact ? 2 : 6);
  for (int i = 0; i <= n; ++i) {
    const QRectF box(area.left() + i * (boxW + gap), y, boxW, boxH);
    const bool result = i == n;
    p.setPen(QPen(result ? (w.ok ? okColour() : t.error) : t.accent, 2));
    p.setBrush(t.panel);
    p.drawRoundedRect(box, 8, 8);
    p.setPen(t.text);
    if (!result) {
      const WalkStep &st = w.steps[static_cast<std::size_t>(i)];
      p.setFont(viewFont(9.5, true));
      p.drawText(box.adjusted(6, 4, -6, 0), Qt::AlignTop | Qt::AlignHCenter,
                 tableName(w.mode, st.level));
      const QString lines = tr("table %1\nindex %2\nentry %3")
                                .arg(hex(st.tableAddr))
                                .arg(st.index)
                                .arg(hex(st.entry));
      p.setFont(fittingMono(lines, box.width() - 8));
      p.drawText(box.adjusted(4, 0, -4, -4), Qt::AlignBottom | Qt::AlignHCenter, lines);
      p.setPen(QPen(t.muted, 2)); // the arrow to the next level
      const QPointF a(box.right() + 3, box.center().y()),
          b(box.right() + gap - 3, box.center().y());
      p.drawLine(a, b);
      p.drawLine(b, b + QPointF(-7, -5));
      p.drawLine(b, b + QPointF(-7, 5));
    } else {
      p.setFont(viewFont(9.5, true));
      p.drawText(box.adjusted(6, 4, -6, 0), Qt::AlignTop | Qt::AlignHCenter,
                 w.ok ? tr("result") : tr("fault"));
      p.setFont(monoFont(8.5));
      p.drawText(box.adjusted(4, 0, -4, -4), Qt::AlignBottom | Qt::AlignHCenter,
                 w.ok ? tr("%1\npage %2 bytes").arg(hex(w.gpa)).arg(w.pageSize)
                      : tr("#PF error code %1").arg(hex(w.faultCode)));
    }
  }
  if (compact)
    return;
  p.setFont(viewFont(10, true));
  p.setPen(t.text);
  p.drawText(QRectF(area.left(), y + boxH + 10, area.width(), 30 * t.fontScale),
             Qt::AlignLeft | Qt::AlignVCenter,
             tr("memory references: %1 · TLB fills so far: %2")
                 .arg(w.memoryRefs)
                 .arg(session_.state().tlbFills));
}

void PageWalkView::drawGrid(QPainter &p, const QRectF &area, const WalkGrid &g) {
  const Theme &t = Theme::current();
  const int lit = litReferences();
  const int cols = g.eptColumns + 1;
  const double labelW = 118 * t.fontScale;
  const double countH = 30 * t.fontScale;
  const double headH = QFontMetricsF(viewFont(9, true)).height() * 2.2;
  const double cellW = std::max(34.0, (area.width() - labelW) / cols - 6);
  const double cellH =
      std::clamp((area.height() - headH - countH - 8) / std::max(1, g.rows) - 6, 18.0, 56.0);
  const double x0 = area.left() + labelW, y0 = area.top() + headH;

  // Column titles: the EPT levels, then the guest's own entry.
  p.setFont(viewFont(9, true));
  for (int c = 0; c < cols; ++c) {
    const QRectF head(x0 + c * (cellW + 6), area.top(), cellW, headH - 4);
    p.setPen(c == g.eptColumns ? t.accent : t.muted);
    p.drawText(head, Qt::AlignCenter | Qt::TextWordWrap,
               c == g.eptColumns ? tr("guest entry") : tr("EPT L%1").arg(g.eptColumns - c));
  }
  for (int r = 0; r < g.rows; ++r) {
    const double y = y0 + r * (cellH + 6);
    const QRectF label(area.left(), y, labelW - 8, cellH);
    p.setPen(t.text);
    p.setFont(viewFont(9, true));
    const bool guestRow = r < g.guestSteps;
    const QString name =
        guestRow
            ? tr("guest %1")
                  .arg(tableName(
                      g.guestMode,
                      g.cells[static_cast<std::size_t>(r)][static_cast<std::size_t>(g.eptColumns)]
                          .level))
            : (g.guestSeen ? tr("data GPA") : tr("GPA %1").arg(r + 1));
    p.drawText(label, Qt::AlignRight | Qt::AlignTop, name);
    p.setFont(monoFont(7.5));
    p.setPen(t.muted);
    p.drawText(label, Qt::AlignRight | Qt::AlignBottom, hex(g.rowGpa[static_cast<std::size_t>(r)]));
    for (int c = 0; c < cols; ++c) {
      const WalkGridCell &cell = g.cells[static_cast<std::size_t>(r)][static_cast<std::size_t>(c)];
      const QRectF box(x0 + c * (cellW + 6), y, cellW, cellH);
      const bool on = cell.used && cell.order <= lit;
      const bool newest = on && cell.order == lit;
      QColor fill = t.panel;
      if (on) {
        fill = cell.fault ? t.error : (c == g.eptColumns ? t.accent : t.changed);
        fill.setAlpha(newest ? 255 : 150);
      }
      p.setPen(QPen(cell.used ? (newest ? t.text : t.grid) : t.grid, newest ? 2.5 : 1,
                    cell.used ? Qt::SolidLine : Qt::DotLine));
      p.setBrush(fill);
      p.drawRoundedRect(box, 5, 5);
      if (cell.used && on) {
        p.setPen(QColor(Qt::black));
        p.setFont(viewFont(10, true));
        p.drawText(box, Qt::AlignCenter, QString::number(cell.order));
      }
    }
  }
  // The running count, and what the walk produced.
  const double yCount = y0 + g.rows * (cellH + 6) + 4;
  p.setFont(viewFont(11, true));
  p.setPen(t.text);
  QString tail;
  if (!g.guestSeen)
    tail = tr("the guest walk has not finished at this event");
  else if (g.exitReason)
    tail = tr("EPT exit %1 (%2)")
               .arg(g.exitReason)
               .arg(g.exitReason == 48 ? tr("EPT violation") : tr("EPT misconfiguration"));
  else if (g.ok)
    tail = tr("%1 → GPA %2, then the data access").arg(hex(g.gva), hex(g.gpa));
  else
    tail = tr("the guest walk faulted (#PF)");
  p.drawText(QRectF(area.left(), yCount, area.width(), countH), Qt::AlignLeft | Qt::AlignVCenter,
             tr("references: %1 of %2 · %3").arg(lit).arg(g.references).arg(tail));
}

void PageWalkView::drawTlb(QPainter &p, const QRectF &area) {
  const Theme &t = Theme::current();
  const MachineState &s = session_.state();
  p.setPen(QPen(t.grid, 1));
  p.setBrush(t.panel);
  p.drawRoundedRect(area, 8, 8);
  const QRectF in = area.adjusted(8, 6, -8, -6);
  p.setFont(viewFont(9.5, true));
  p.setPen(t.text);
  const double lineH = QFontMetricsF(monoFont(8)).height() + 2;
  p.drawText(in, Qt::AlignTop | Qt::AlignLeft,
             tr("TLB · hits %1 · misses %2 · flushes %3")
                 .arg(s.tlbHits)
                 .arg(s.tlbMisses)
                 .arg(s.tlbFlushes));
  double y = in.top() + QFontMetricsF(viewFont(9.5, true)).height() + 6;
  p.setFont(monoFont(8));
  if (s.tlbCount == 0) {
    p.setPen(t.muted);
    p.drawText(QRectF(in.left(), y, in.width(), in.bottom() - y),
               Qt::AlignTop | Qt::AlignLeft | Qt::TextWordWrap,
               tr("no entries: nothing filled yet, or flushed since"));
    return;
  }
  p.setPen(t.muted);
  p.drawText(QRectF(in.left(), y, in.width(), lineH), Qt::AlignLeft, tr("VA → PA (size, VPID)"));
  y += lineH;
  const uint64_t current = s.applied == 0 ? kNever : s.applied - 1;
  for (uint8_t i = 0; i < s.tlbCount && y + lineH <= in.bottom(); ++i, y += lineH) {
    const TlbLine &l = s.tlb[i];
    const QRectF row(in.left(), y, in.width(), lineH);
    if (l.seq == current) { // filled or hit by the current event
      QColor lit = t.changed;
      lit.setAlpha(140);
      p.fillRect(row, lit);
    }
    p.setPen(t.text);
    p.drawText(row, Qt::AlignLeft | Qt::AlignVCenter,
               QStringLiteral("%1 → %2 (%3, %4)")
                   .arg(hex(l.va), hex(l.pa), pageSizeText(l.pageSize))
                   .arg(l.vpid));
  }
}

} // namespace ringside::desktop
