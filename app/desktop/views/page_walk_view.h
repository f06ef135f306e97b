#pragma once
// The latest page walk up to the current event, entry by entry: each level's table, the
// index used and the entry read, with the running count of memory references. (The shadow
// and EPT 2-D grid come with the memory-virtualization events.)
#include "views/view_base.h"

namespace ringside::desktop {

class PageWalkView : public ViewBase {
  Q_OBJECT
public:
  explicit PageWalkView(Session &session, QWidget *parent = nullptr);
  void render(QPainter &painter, const QRect &area) override;
  QString title() const override { return tr("Page walk"); }
  QString helpText() const override;
  QString key() const override { return QStringLiteral("pagewalk"); }
};

} // namespace ringside::desktop
