#include "views/view_base.h"

#include "session.h"
#include "theme.h"

#include <QEvent>
#include <QPainter>

namespace ringside::desktop {

ViewBase::ViewBase(Session &session, QWidget *parent) : QWidget(parent), session_(session) {
  setAttribute(Qt::WA_OpaquePaintEvent);
  connect(&session_, &Session::cursorChanged, this, qOverload<>(&QWidget::update));
}

void ViewBase::paintEvent(QPaintEvent *) {
  QPainter painter(this);
  painter.setRenderHint(QPainter::Antialiasing);
  render(painter, rect());
}

void ViewBase::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange)
    setToolTip(helpText());
  if (event->type() == QEvent::LanguageChange || event->type() == QEvent::PaletteChange)
    update();
  QWidget::changeEvent(event);
}

int ViewBase::drawHeader(QPainter &painter, const QRect &area, const QString &text,
                         const QString &badge) const {
  const Theme &t = Theme::current();
  painter.setFont(viewFont(10, true));
  const int h = painter.fontMetrics().height() + 8;
  painter.setPen(t.muted);
  painter.drawText(area.adjusted(8, 4, -8, 0), Qt::AlignLeft | Qt::AlignTop, text);
  if (!badge.isEmpty()) {
    painter.setFont(viewFont(8.5, true));
    const int w = painter.fontMetrics().horizontalAdvance(badge) + 14;
    QRect pill(area.right() - w - 8, area.top() + 5, w, painter.fontMetrics().height() + 4);
    painter.setPen(Qt::NoPen);
    painter.setBrush(t.changed);
    painter.drawRoundedRect(pill, 6, 6);
    painter.setPen(QColor(Qt::black));
    painter.drawText(pill, Qt::AlignCenter, badge);
  }
  return h;
}

} // namespace ringside::desktop
