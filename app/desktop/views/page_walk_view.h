#pragma once
// The latest page walk up to the current event. A walk that stands alone (the guest's own
// tables, or the shadow tables) is drawn level by level: table, index, entry. A 2-D walk (a
// guest walk under EPT, walk events sharing a walk_id) is drawn as the grid of guest levels ×
// EPT levels, its references lit one after another in the processor's order with a running
// count. Beside either: the TLB as the tlb events left it, with hits and misses.
#include "core/walk_grid.h"
#include "views/view_base.h"

#include <QElapsedTimer>
#include <QTimer>
#include <optional>

namespace ringside::desktop {

class PageWalkView : public ViewBase {
  Q_OBJECT
public:
  explicit PageWalkView(Session &session, QWidget *parent = nullptr);
  void render(QPainter &painter, const QRect &area) override;
  QString title() const override { return tr("Page walk"); }
  QString helpText() const override;
  QString key() const override { return QStringLiteral("pagewalk"); }
  QSize exportSize() const override;

  /// The 2-D walk at the current event, if the latest walk is one (tests read it).
  const std::optional<WalkGrid> &grid() const { return grid_; }
  /// References lit so far: the running count while the grid animates, then the total.
  int litReferences() const;
  /// Shows every reference at once (exports, tests, the benchmark).
  void finishAnimation() { animating_ = false; }

private:
  void onCursor();
  void drawWalks(QPainter &p, const QRectF &area);
  void drawSingleWalk(QPainter &p, const QRectF &area, const WalkEvent &w, bool compact);
  void drawGrid(QPainter &p, const QRectF &area, const WalkGrid &g);
  void drawTlb(QPainter &p, const QRectF &area);

  std::optional<WalkGrid> grid_;
  uint64_t gridKey_ = UINT64_MAX; ///< the last walk event the grid was built for
  QElapsedTimer animation_;
  QTimer frames_; ///< repaints while the references light up
  bool animating_ = false;
};

} // namespace ringside::desktop
