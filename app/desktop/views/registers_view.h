#pragma once
// Guest registers as the trace shows them: RIP and CPL from the latest events, CR2 from the
// last #PF, and the guest-state area of the VMCS (vmcs events) for the rest. Values changed
// since the last VM exit are lit. Nothing here is read from the backend directly.
#include "views/view_base.h"

namespace ringside::desktop {

class RegistersView : public ViewBase {
  Q_OBJECT
public:
  explicit RegistersView(Session &session, QWidget *parent = nullptr);
  void render(QPainter &painter, const QRect &area) override;
  QString title() const override { return tr("Registers"); }
  QString helpText() const override;
  QString key() const override { return QStringLiteral("registers"); }
};

} // namespace ringside::desktop
