#pragma once
// Every event on an axis of event numbers, in three lanes (guest, monitor, devices), coloured
// by kind. The wheel zooms around the pointer, Shift+wheel pans, a click jumps there. Drawing
// is per pixel column with the store's running lane counts, so a million events cost the same
// as a thousand.
#include "views/view_base.h"

namespace ringside::desktop {

class TimelineView : public ViewBase {
  Q_OBJECT
public:
  explicit TimelineView(Session &session, QWidget *parent = nullptr);
  void render(QPainter &painter, const QRect &area) override;
  QString title() const override { return tr("Timeline"); }
  QString helpText() const override;
  QString key() const override { return QStringLiteral("timeline"); }

  /// Visible range [start, start + span) in events; span 0 means "fit everything".
  void setVisibleRange(double start, double span);
  double visibleStart() const { return start_; }
  double visibleSpan() const;
  /// The event index under x (widget coordinates), or -1 outside the lanes.
  long long eventAt(int x) const;

protected:
  void wheelEvent(QWheelEvent *event) override;
  void mousePressEvent(QMouseEvent *event) override;
  void mouseMoveEvent(QMouseEvent *event) override;

private:
  QRectF lanesRect(const QRect &area) const;
  double start_ = 0, span_ = 0;
  long long hovered_ = -1;
};

} // namespace ringside::desktop
