#include "views/page_walk_view.h"

#include "session.h"
#include "theme.h"

#include <QPainter>

namespace ringside::desktop {

namespace {

QString hex(uint64_t v) { return QStringLiteral("0x") + QString::number(v, 16); }

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

} // namespace

PageWalkView::PageWalkView(Session &session, QWidget *parent) : ViewBase(session, parent) {
  setObjectName(key());
  setMinimumSize(320, 200);
  setToolTip(helpText());
}

QString PageWalkView::helpText() const {
  return tr("What am I looking at: the last page walk up to the current event (a walk event): "
            "the linear address being translated and, level by level, the table the walker "
            "read, the index into it and the entry it found, with the memory references made.");
}

void PageWalkView::render(QPainter &p, const QRect &area) {
  const Theme &t = Theme::current();
  const MachineState &s = session_.state();
  p.fillRect(area, t.background);
  if (s.lastWalkSeq == kNever) {
    drawHeader(p, area, tr("Page walk: no walk events yet (paging is off, or none so far)"));
    return;
  }
  const auto &w = std::get<WalkEvent>(session_.store().at(s.lastWalkSeq).body);
  const QString badge = w.source == EventSource::Model
                            ? tr("modelled")
                            : QString::fromLatin1(eventSourceName(w.source));
  const int top = drawHeader(p, area,
                             tr("Walk #%1 of %2 · %3 walk of %4 (%5)")
                                 .arg(s.lastWalkSeq)
                                 .arg(s.walks)
                                 .arg(QString::fromLatin1(walkPurposeName(w.purpose)), hex(w.gva),
                                      QString::fromLatin1(walkModeName(w.mode))),
                             badge);
  const int n = std::min<int>(w.stepCount, static_cast<int>(w.steps.size()));
  const double gap = 26 * t.fontScale;
  const double boxW = std::max(80.0, (area.width() - 16 - gap * n) / std::max(1, n + 1));
  const double boxH = 86 * t.fontScale;
  const double y = area.top() + top + 10;
  for (int i = 0; i <= n; ++i) {
    const QRectF box(area.left() + 8 + i * (boxW + gap), y, boxW, boxH);
    const bool result = i == n;
    p.setPen(QPen(result ? (w.ok ? QColor(QRgb(0x2E9E5B)) : t.error) : t.accent, 2));
    p.setBrush(t.panel);
    p.drawRoundedRect(box, 8, 8);
    p.setPen(t.text);
    if (!result) {
      const WalkStep &st = w.steps[static_cast<std::size_t>(i)];
      p.setFont(viewFont(9.5, true));
      p.drawText(box.adjusted(6, 4, -6, 0), Qt::AlignTop | Qt::AlignHCenter,
                 tableName(w.mode, st.level));
      p.setFont(monoFont(8.5));
      p.drawText(box.adjusted(6, 0, -6, -4), Qt::AlignBottom | Qt::AlignHCenter,
                 tr("table %1\nindex %2\nentry %3")
                     .arg(hex(st.tableAddr))
                     .arg(st.index)
                     .arg(hex(st.entry)));
      // The arrow to the next level.
      p.setPen(QPen(t.muted, 2));
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
      p.drawText(box.adjusted(6, 0, -6, -4), Qt::AlignBottom | Qt::AlignHCenter,
                 w.ok ? tr("%1\npage %2 bytes").arg(hex(w.gpa)).arg(w.pageSize)
                      : tr("#PF error code %1").arg(hex(w.faultCode)));
    }
  }
  p.setFont(viewFont(10, true));
  p.setPen(t.text);
  p.drawText(QRectF(area.left() + 8, y + boxH + 10, area.width() - 16, 30 * t.fontScale),
             Qt::AlignLeft | Qt::AlignVCenter,
             tr("memory references: %1 · TLB fills so far: %2").arg(w.memoryRefs).arg(s.tlbFills));
}

} // namespace ringside::desktop
