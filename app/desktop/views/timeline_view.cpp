#include "views/timeline_view.h"

#include "session.h"
#include "theme.h"
#include "views/transition_text.h"

#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>
#include <cmath>

namespace ringside::desktop {

namespace {
constexpr double kLabelWidth = 96;
}

TimelineView::TimelineView(Session &session, QWidget *parent) : ViewBase(session, parent) {
  setObjectName(key());
  setMinimumSize(320, 150);
  setMouseTracking(true);
  setToolTip(helpText());
  connect(&session_, &Session::eventsAppended, this, qOverload<>(&QWidget::update));
}

QString TimelineView::helpText() const {
  return tr("What am I looking at: every event of the run, left to right in the order it "
            "happened, in lanes for the guest, the monitor and the devices, coloured by kind. "
            "Wheel: zoom, Shift+wheel: pan, click: show the machine at that event.");
}

double TimelineView::visibleSpan() const {
  const double all = std::max<double>(1, static_cast<double>(session_.store().size()));
  return span_ <= 0 ? all : span_;
}

void TimelineView::setVisibleRange(double start, double span) {
  start_ = std::max(0.0, start);
  span_ = span;
  update();
}

QRectF TimelineView::lanesRect(const QRect &area) const {
  const double headerH = 30 * Theme::current().fontScale;
  const double axisH = 22 * Theme::current().fontScale;
  return QRectF(area.left() + kLabelWidth * Theme::current().fontScale, area.top() + headerH,
                area.width() - kLabelWidth * Theme::current().fontScale - 10,
                area.height() - headerH - axisH - 6);
}

long long TimelineView::eventAt(int x) const {
  const QRectF lanes = lanesRect(rect());
  if (x < lanes.left() || x > lanes.right() || session_.store().empty())
    return -1;
  const double at = start_ + (x - lanes.left()) / lanes.width() * visibleSpan();
  const auto index = static_cast<long long>(at);
  return index < static_cast<long long>(session_.store().size()) ? index : -1;
}

void TimelineView::render(QPainter &p, const QRect &area) {
  const Theme &t = Theme::current();
  const EventStore &store = session_.store();
  p.fillRect(area, t.background);
  QString header = tr("%1 events").arg(store.size());
  if (hovered_ >= 0 && hovered_ < static_cast<long long>(store.size()))
    header += QStringLiteral("  ·  ") + eventSummary(store.at(static_cast<std::size_t>(hovered_)));
  drawHeader(p, area, header);

  const QRectF lanes = lanesRect(area);
  const double laneH = lanes.height() / kLaneCount;
  const QString laneNames[kLaneCount] = {tr("guest"), tr("monitor"), tr("devices")};
  p.setFont(viewFont(9, true));
  for (std::size_t l = 0; l < kLaneCount; ++l) {
    const QRectF lane(lanes.left(), lanes.top() + l * laneH, lanes.width(), laneH - 3);
    p.fillRect(lane, t.panel);
    p.setPen(t.text);
    p.drawText(QRectF(area.left() + 6, lane.top(), lanes.left() - area.left() - 10, lane.height()),
               Qt::AlignVCenter | Qt::AlignRight, laneNames[l]);
  }
  if (store.empty())
    return;

  const double span = visibleSpan();
  const int columns = std::max(1, static_cast<int>(lanes.width()));
  const double perColumn = span / columns;
  // Per lane, adjacent columns of one colour become one rectangle.
  for (std::size_t l = 0; l < kLaneCount; ++l) {
    const Lane lane = static_cast<Lane>(l);
    int runStart = -1;
    uint32_t runColour = 0;
    auto flush = [&](int x) {
      if (runStart >= 0)
        p.fillRect(
            QRectF(lanes.left() + runStart, lanes.top() + l * laneH + 3, x - runStart, laneH - 9),
            QColor::fromRgb(runColour));
      runStart = -1;
    };
    for (int x = 0; x < columns; ++x) {
      const double a = start_ + x * perColumn;
      const auto first = static_cast<std::size_t>(std::floor(a));
      if (first >= store.size()) {
        flush(x);
        break;
      }
      auto last = std::min(store.size(), static_cast<std::size_t>(std::floor(a + perColumn)));
      if (last <= first)
        last = first + 1;
      if (store.laneCount(lane, first, last) == 0) {
        flush(x);
        continue;
      }
      const Event &e = store.at(first);
      const uint32_t colour =
          kindStyle(laneOf(e) == lane ? e : store.at(store.nextInLane(lane, first))).rgb;
      if (runStart >= 0 && colour != runColour)
        flush(x);
      if (runStart < 0) {
        runStart = x;
        runColour = colour;
      }
    }
    flush(columns);
  }
  // Zoomed in far enough: outline each event and name its kind.
  if (lanes.width() / span >= 40) {
    p.setFont(viewFont(7.5));
    for (auto i = static_cast<std::size_t>(start_);
         i < store.size() && i < static_cast<std::size_t>(start_ + span) + 1; ++i) {
      const double x = lanes.left() + (i - start_) / span * lanes.width();
      const auto l = static_cast<std::size_t>(laneOf(store.at(i)));
      QRectF cell(x + 1, lanes.top() + l * laneH + 3, lanes.width() / span - 2, laneH - 9);
      p.fillRect(cell, QColor::fromRgb(kindStyle(store.at(i)).rgb));
      p.setPen(Qt::white);
      p.drawText(cell, Qt::AlignCenter, QString::fromLatin1(kindStyle(store.at(i)).kind));
    }
  }

  // Axis: event numbers.
  p.setFont(viewFont(8));
  p.setPen(t.muted);
  const double step = std::pow(10.0, std::floor(std::log10(std::max(1.0, span / 5))));
  for (double v = std::ceil(start_ / step) * step; v <= start_ + span; v += step) {
    const double x = lanes.left() + (v - start_) / span * lanes.width();
    p.drawLine(QPointF(x, lanes.bottom()), QPointF(x, lanes.bottom() + 4));
    p.drawText(QRectF(x - 50, lanes.bottom() + 4, 100, 18), Qt::AlignHCenter | Qt::AlignTop,
               QString::number(static_cast<qulonglong>(v)));
  }

  // The cursor: the event the other views show.
  if (session_.cursor() > 0) {
    const double c = static_cast<double>(session_.cursor() - 1) + 0.5;
    if (c >= start_ && c <= start_ + span) {
      const double x = lanes.left() + (c - start_) / span * lanes.width();
      p.setPen(QPen(t.accent, 2.5 * t.fontScale));
      p.drawLine(QPointF(x, lanes.top() - 4), QPointF(x, lanes.bottom() + 2));
    }
  }
}

void TimelineView::wheelEvent(QWheelEvent *event) {
  const double span = visibleSpan();
  const QRectF lanes = lanesRect(rect());
  const double steps = event->angleDelta().y() / 120.0;
  if (event->modifiers() & Qt::ShiftModifier) {
    setVisibleRange(start_ - steps * span * 0.2, span_);
  } else {
    const double fraction =
        std::clamp((event->position().x() - lanes.left()) / lanes.width(), 0.0, 1.0);
    const double anchor = start_ + fraction * span;
    const double newSpan =
        std::clamp(span * std::pow(0.8, steps), 8.0, std::max<double>(8, session_.store().size()));
    const bool all = newSpan >= session_.store().size();
    setVisibleRange(all ? 0 : anchor - fraction * newSpan, all ? 0 : newSpan);
  }
  event->accept();
}

void TimelineView::mousePressEvent(QMouseEvent *event) {
  const long long index = eventAt(static_cast<int>(event->position().x()));
  if (index >= 0)
    session_.scrubTo(static_cast<std::size_t>(index) + 1);
}

void TimelineView::mouseMoveEvent(QMouseEvent *event) {
  const long long index = eventAt(static_cast<int>(event->position().x()));
  if (index != hovered_) {
    hovered_ = index;
    update();
  }
}

} // namespace ringside::desktop
