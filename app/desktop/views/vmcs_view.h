#pragma once
// Every VMCS field by group (controls, guest state, host state, exit information) with its
// encoding and value at the current event. Fields changed since the last VM exit are lit, the
// one the current event changed is outlined. Painted with QPainter (not Dear ImGui) so it works
// on every Qt platform, off-screen tests included, and exports like the other views.
#include "views/view_base.h"

#include <QImage>

class QComboBox;

namespace ringside::desktop {

class VmcsView : public ViewBase {
  Q_OBJECT
public:
  explicit VmcsView(Session &session, QWidget *parent = nullptr);
  void render(QPainter &painter, const QRect &area) override;
  QString title() const override { return tr("VMCS"); }
  QString helpText() const override;
  QString key() const override { return QStringLiteral("vmcs"); }
  QSize exportSize() const override;
  QSize sizeHint() const override { return {760, 520}; }

  /// Rows lit as "changed since the last VM exit" at the current event (tests read it).
  int changedFieldCount() const;
  /// Whose VMCS to show: kVmmVmcs (Ringside's VMM) or a guest-written hypervisor's region,
  /// picked in the selector at the top; false when no vmcs event named that region yet.
  bool setRegion(uint64_t region);
  uint64_t region() const { return region_; }

protected:
  void resizeEvent(QResizeEvent *event) override;
  bool event(QEvent *event) override;

private:
  struct Cell {
    QRectF rect, value;
    int row; ///< index into vmcsFieldRows()
  };
  int layoutHeight(int width) const;
  /// Group titles, names, encodings: everything that does not change with the cursor.
  void drawStatic(QPainter &painter, const QRect &area, int top);
  QImage cache_;
  QString cacheKey_;
  std::vector<Cell> cells_; ///< from the last render, for hover
  void refreshRegions();
  QComboBox *regionBox_;
  uint64_t region_ = ~0ull; ///< kVmmVmcs
};

} // namespace ringside::desktop
