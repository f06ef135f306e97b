#pragma once
// The four privilege rings inside the VMX non-root plane (the guest) beside the VMX root
// plane (the monitor). The current CPL is lit; the latest transitions are arrows labelled with
// their cause, the newest one drawn as it happens.
#include "views/view_base.h"

#include <QElapsedTimer>
#include <QImage>
#include <QPointF>
#include <map>

namespace ringside::desktop {

class RingsView : public ViewBase {
  Q_OBJECT
public:
  explicit RingsView(Session &session, QWidget *parent = nullptr);
  void render(QPainter &painter, const QRect &area) override;
  QString title() const override { return tr("Rings"); }
  QString helpText() const override;
  QString key() const override { return QStringLiteral("rings"); }

private:
  void onCursor();
  uint64_t animatedSeq_ = UINT64_MAX;
  std::map<QString, QImage> scenes_; ///< planes and rings per CPL/mode, drawn once each
  QElapsedTimer animation_;
};

} // namespace ringside::desktop
