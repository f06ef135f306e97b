#include "views/rings_view.h"

#include "arch/exit_reasons.h"
#include "session.h"
#include "theme.h"
#include "views/transition_text.h"

#include <QPaintEngine>
#include <QPainter>
#include <QPainterPath>
#include <QTimer>
#include <QtMath>

namespace ringside::desktop {

namespace {

constexpr int kAnimationMs = 450;

void drawArrow(QPainter &p, const QPointF &from, const QPointF &to, const QPointF &control,
               double progress, const QColor &colour, double width) {
  QPainterPath path(from);
  path.quadTo(control, to);
  QPainterPath partial;
  const int steps = 32;
  const int shown = std::max(1, static_cast<int>(steps * progress));
  partial.moveTo(from);
  for (int i = 1; i <= shown; ++i)
    partial.lineTo(path.pointAtPercent(static_cast<double>(i) / steps));
  p.setPen(QPen(colour, width, Qt::SolidLine, Qt::RoundCap, Qt::RoundJoin));
  p.setBrush(Qt::NoBrush);
  p.drawPath(partial);
  // Arrowhead along the last segment.
  const double t = static_cast<double>(shown) / steps;
  const QPointF tip = path.pointAtPercent(t);
  const double angle = qDegreesToRadians(-path.angleAtPercent(t));
  const double len = width * 4.5;
  QPolygonF head;
  head << tip << tip - QPointF(std::cos(angle - 0.45) * len, std::sin(angle - 0.45) * len)
       << tip - QPointF(std::cos(angle + 0.45) * len, std::sin(angle + 0.45) * len);
  p.setPen(Qt::NoPen);
  p.setBrush(colour);
  p.drawPolygon(head);
}

} // namespace

RingsView::RingsView(Session &session, QWidget *parent) : ViewBase(session, parent) {
  setObjectName(key());
  setMinimumSize(320, 240);
  setToolTip(helpText());
  connect(&session_, &Session::cursorChanged, this, &RingsView::onCursor);
}

QString RingsView::helpText() const {
  return tr("What am I looking at: the guest's privilege rings (CPL 0 = kernel, 3 = user) inside "
            "VMX non-root mode, and the monitor in VMX root mode. The lit ring is the current "
            "CPL; arrows are the latest transitions (exceptions, IRET, system calls, VM exits "
            "and entries) with their cause, taken from ring, exception, exit and entry events.");
}

void RingsView::onCursor() {
  const auto &recent = session_.state().recent[0];
  if (recent.kind != Transition::None && recent.seq != animatedSeq_) {
    animatedSeq_ = recent.seq;
    animation_.start();
    // Frames for the arrow's drawing; the session's own timer caps the rest at 60 Hz.
    for (int ms = 16; ms <= kAnimationMs + 16; ms += 16)
      QTimer::singleShot(ms, this, qOverload<>(&QWidget::update));
  }
}

void RingsView::render(QPainter &p, const QRect &area) {
  const Theme &t = Theme::current();
  const MachineState &s = session_.state();
  QString headline;
  if (s.applied == 0)
    headline = tr("No events yet: run a guest");
  else if (s.inRoot)
    headline = tr("Monitor running (VMX root) · guest CPL %1").arg(s.cpl);
  else
    headline = tr("Guest running (VMX non-root) · CPL %1").arg(s.cpl);
  if (s.nestedSeen && s.applied != 0)
    headline += s.inNested ? tr(" · nested guest (L2)") : tr(" · guest hypervisor (L1)");

  const QFont planeFont = viewFont(9.5, true);
  const int top = QFontMetrics(viewFont(10, true)).height() + 8; // drawHeader's height
  const QRectF body = QRectF(area).adjusted(10, top + 4, -10, -10 - 26 * t.fontScale);
  const double rootWidth = std::max(120.0, body.width() * 0.30);
  const QRectF guestPlane(body.left(), body.top(), body.width() - rootWidth - 16, body.height());
  const QRectF rootPlane(guestPlane.right() + 16, body.top(), rootWidth, body.height());

  const double lineH = QFontMetricsF(planeFont).height();
  // Concentric rings, 3 outermost.
  const QPointF centre(guestPlane.center().x(), guestPlane.center().y() + lineH * 0.5);
  const double outer = std::max(
      20.0, std::min(guestPlane.width() * 0.5, guestPlane.height() * 0.5 - lineH * 2.2) - 12);
  const double band = outer / 4.0;

  // The planes and rings change only with the CPL, root/non-root, size, theme and language:
  // on screen they come from an image drawn once per change; SVG exports get vectors.
  auto drawScene = [&](QPainter &p) {
    p.fillRect(area, t.background);
    // The two planes.
    p.setFont(viewFont(9.5, true));
    p.setPen(QPen(t.grid, 1.5));
    p.setBrush(s.inRoot ? t.guest.lighter(t.id == ThemeId::Light ? 104 : 80) : t.guest);
    p.drawRoundedRect(guestPlane, 10, 10);
    p.setBrush(s.inRoot ? t.root : t.root.lighter(t.id == ThemeId::Light ? 104 : 70));
    p.setPen(QPen(s.inRoot ? t.accent : t.grid, s.inRoot ? 3 : 1.5));
    p.drawRoundedRect(rootPlane, 10, 10);
    p.setPen(t.text);
    p.drawText(guestPlane.adjusted(10, 6, -10, -6), Qt::AlignTop | Qt::AlignLeft,
               tr("VMX non-root: the guest"));
    p.drawText(rootPlane.adjusted(8, 6, -8, -6), Qt::AlignTop | Qt::AlignHCenter | Qt::TextWordWrap,
               tr("VMX root: the monitor"));

    for (int ring = 3; ring >= 0; --ring) {
      const double r = band * (ring + 1);
      const bool current = s.cplKnown && s.cpl == ring && !s.inRoot;
      p.setBrush(t.rings[static_cast<std::size_t>(ring)]);
      p.setPen(QPen(current ? t.accent : t.grid, current ? 4 : 1));
      p.drawEllipse(centre, r, r);
    }
    if (s.cplKnown) { // the current band again, on top, so its outline is not covered
      const double r = band * (s.cpl + 1);
      p.setBrush(Qt::NoBrush);
      p.setPen(QPen(s.inRoot ? t.muted : t.accent, s.inRoot ? 2 : 4,
                    s.inRoot ? Qt::DashLine : Qt::SolidLine));
      p.drawEllipse(centre, r, r);
    }
    p.setFont(viewFont(9, true));
    const bool roomForLabels = band > p.fontMetrics().horizontalAdvance(QLatin1Char('0')) * 2.2;
    for (int ring = 0; ring < 4 && roomForLabels; ++ring) {
      const double r = band * (ring + 0.5);
      const QPointF at(centre.x() - r, centre.y());
      p.setPen(QColor(ring == 0 || t.id != ThemeId::Light ? Qt::white : Qt::black));
      if (t.id == ThemeId::Light)
        p.setPen(QColor(QRgb(0x1D232B)));
      p.drawText(QRectF(at.x() - 30, at.y() - lineH, 60, lineH * 2), Qt::AlignCenter,
                 QString::number(ring));
    }
    p.setFont(viewFont(8.5));
    p.setPen(t.text);
    const QString caption = tr("ring 0 kernel · ring 3 user");
    if (p.fontMetrics().horizontalAdvance(caption) < guestPlane.width() - 20)
      p.drawText(QRectF(guestPlane.left(), centre.y() + outer + 2, guestPlane.width(), lineH * 1.3),
                 Qt::AlignHCenter | Qt::AlignTop, caption);
  };
  const bool vector = p.paintEngine() && p.paintEngine()->type() == QPaintEngine::SVG;
  // The pixel density too: a 2× export must not reuse the screen's 1× image.
  const QString key = QStringLiteral("%1x%2@%9/%3/%4/%5/%6/%7/%8")
                          .arg(area.width())
                          .arg(area.height())
                          .arg(static_cast<int>(t.id))
                          .arg(t.fontScale)
                          .arg(s.cpl)
                          .arg(s.cplKnown)
                          .arg(s.inRoot)
                          .arg(tr("VMX root: the monitor"))
                          .arg(p.device() ? p.device()->devicePixelRatioF() : 1.0);
  if (vector) {
    drawScene(p);
  } else {
    auto it = scenes_.find(key);
    if (it == scenes_.end()) {
      if (scenes_.size() >= 16) // CPL × known × root: 16 at one size and theme
        scenes_.clear();
      const qreal dpr = p.device() ? p.device()->devicePixelRatioF() : 1.0;
      QImage scene(area.size() * dpr, QImage::Format_ARGB32_Premultiplied);
      scene.setDevicePixelRatio(dpr);
      QPainter sp(&scene);
      sp.setRenderHint(QPainter::Antialiasing);
      sp.translate(-area.topLeft());
      drawScene(sp);
      sp.end();
      it = scenes_.emplace(key, std::move(scene)).first;
    }
    p.drawImage(area.topLeft(), it->second);
  }
  drawHeader(p, area, headline);

  // Nesting: which level of the guest runs, the guest-written hypervisor (L1) or its guest (L2).
  if (s.nestedSeen) {
    p.setFont(viewFont(9, true));
    const QString level =
        s.inNested ? tr("level L2: the nested guest") : tr("level L1: the guest's own hypervisor");
    const QString counts =
        tr("nested entries %1 · exits %2").arg(s.nestedEntries).arg(s.nestedExits);
    const QFontMetricsF fm(p.font());
    const double w = std::max(fm.horizontalAdvance(level), fm.horizontalAdvance(counts)) + 16;
    // Top left, under the plane's title: the rings' circle leaves the corners free.
    const QRectF tag(guestPlane.left() + 8, guestPlane.top() + lineH * 1.5, w, fm.height() * 2 + 8);
    p.setPen(QPen(s.inNested ? t.accent : t.grid, 2));
    QColor fill = s.inNested ? t.changed : t.panel;
    fill.setAlpha(220);
    p.setBrush(fill);
    p.drawRoundedRect(tag, 6, 6);
    p.setPen(s.inNested ? QColor(Qt::black) : t.text);
    p.drawText(tag.adjusted(8, 4, -8, -4), Qt::AlignLeft | Qt::AlignTop, level);
    p.setFont(viewFont(8.5));
    p.drawText(tag.adjusted(8, 4, -8, -4), Qt::AlignLeft | Qt::AlignBottom, counts);
  }

  // What the monitor has done so far, inside its plane.
  if (s.lastExitSeq != kNever) {
    const auto &exit = std::get<ExitEvent>(session_.store().at(s.lastExitSeq).body);
    p.setFont(viewFont(9));
    p.setPen(t.text);
    const QString lines =
        tr("VM exits handled: %1\nlast exit: %2\nat guest RIP 0x%3\nqualification 0x%4")
            .arg(s.exits)
            .arg(QString::fromLatin1(exitReasonName(exit.reason).data(),
                                     static_cast<int>(exitReasonName(exit.reason).size())))
            .arg(QString::number(exit.rip, 16), QString::number(exit.qualification, 16));
    p.drawText(rootPlane.adjusted(30, lineH * 3.2, -8, -10), // right of the arrowheads
               Qt::AlignBottom | Qt::AlignLeft | Qt::TextWordWrap, lines);
  }

  // Where a CPL sits on the right side of the rings, and where the monitor is.
  auto ringPoint = [&](int cpl) { return QPointF(centre.x() + band * (cpl + 0.5), centre.y()); };
  const QPointF rootPoint(rootPlane.left() + 18, rootPlane.center().y());

  // Transitions: oldest first so the newest is on top; older ones fade.
  const double progress =
      animation_.isValid() ? std::min(1.0, animation_.elapsed() / double(kAnimationMs)) : 1.0;
  p.setFont(viewFont(9.5, true));
  for (int i = static_cast<int>(s.recent.size()) - 1; i >= 0; --i) {
    const Transition &tr_ = s.recent[static_cast<std::size_t>(i)];
    if (tr_.kind == Transition::None)
      continue;
    QColor colour = tr_.kind == Transition::Exit    ? QColor(QRgb(0xE0483E))
                    : tr_.kind == Transition::Entry ? QColor(QRgb(0x2E9E5B))
                    : tr_.kind == Transition::Ring  ? QColor(QRgb(0x8E5BD8))
                                                    : QColor(QRgb(0xE8A317));
    colour.setAlphaF(i == 0 ? 1.0 : 0.55 - 0.12 * i);
    const double width = (i == 0 ? 4.0 : 2.5) * t.fontScale;
    const double lift = lineH * (1.2 + i * 0.9);
    const double drawn = (i == 0 && tr_.seq == animatedSeq_) ? progress : 1.0;
    QPointF from, to, control;
    if (tr_.nested) { // L2 ⇄ L1 happens inside the guest plane: a loop beside the rings
      from = ringPoint(tr_.fromCpl) + QPointF(0, tr_.kind == Transition::Exit ? -lineH : lineH);
      to = QPointF(centre.x() - outer * 0.2, centre.y() - outer - lineH * 0.2) +
           QPointF(0, tr_.kind == Transition::Exit ? 0 : lineH * 0.8);
      control = QPointF(from.x() + lift, (from.y() + to.y()) / 2 - lift);
    } else
      switch (tr_.kind) {
      case Transition::Exit:
        from = ringPoint(tr_.fromCpl);
        to = rootPoint + QPointF(0, -lineH * (0.6 + i * 0.5));
        control = QPointF((from.x() + to.x()) / 2, std::min(from.y(), to.y()) - lift * 1.6);
        break;
      case Transition::Entry:
        from = rootPoint + QPointF(0, lineH * (0.6 + i * 0.5));
        to = ringPoint(tr_.toCpl);
        control = QPointF((from.x() + to.x()) / 2, std::max(from.y(), to.y()) + lift * 1.6);
        break;
      case Transition::Ring:
        from = ringPoint(tr_.fromCpl);
        to = ringPoint(tr_.toCpl);
        control = QPointF((from.x() + to.x()) / 2, from.y() - lift * 2.2);
        break;
      default: { // an exception: a short burst at the ring it happened in
        from = ringPoint(tr_.fromCpl) + QPointF(0, lineH * 1.6);
        to = ringPoint(tr_.fromCpl) + QPointF(0, lineH * 0.3);
        control = (from + to) / 2 + QPointF(lineH, 0);
        break;
      }
      }
    drawArrow(p, from, to, control, drawn, colour, width);
    if (i == 0 || i == 1) {
      const QString label = transitionLabel(tr_);
      const QPointF mid = (from + to) / 2 * 0.5 + control * 0.5;
      const QFontMetricsF fm(p.font());
      QRectF box(0, 0, fm.horizontalAdvance(label) + 12, fm.height() + 4);
      box.moveCenter(mid);
      box.moveLeft(std::clamp(box.left(), area.left() + 4.0, area.right() - box.width() - 4));
      box.moveTop(std::clamp(box.top(), body.top() + lineH, body.bottom() - box.height()));
      QColor fill = t.panel;
      fill.setAlphaF(i == 0 ? 0.92 : 0.6);
      p.setPen(QPen(colour, 1.5));
      p.setBrush(fill);
      p.drawRoundedRect(box, 5, 5);
      p.setPen(i == 0 ? t.text : t.muted);
      p.drawText(box, Qt::AlignCenter, label);
    }
  }

  // Counters from the events so far.
  p.setFont(viewFont(9));
  p.setPen(t.muted);
  const QRectF footer(area.left() + 10, body.bottom() + 4, area.width() - 20, 24 * t.fontScale);
  p.drawText(footer, Qt::AlignLeft | Qt::AlignVCenter,
             tr("event %1 of %2 · exits %3 · entries %4 · exceptions %5 · instructions %6")
                 .arg(s.applied)
                 .arg(session_.store().size())
                 .arg(s.exits)
                 .arg(s.entries)
                 .arg(s.exceptions)
                 .arg(s.instructions));
}

} // namespace ringside::desktop
