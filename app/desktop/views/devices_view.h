#pragma once
// The guest's devices as the events show them: the debug console / serial text (console
// events) and the 80×25 VGA text screen (MMIO writes to 0xB8000).
#include "views/view_base.h"

namespace ringside::desktop {

class DevicesView : public ViewBase {
  Q_OBJECT
public:
  explicit DevicesView(Session &session, QWidget *parent = nullptr);
  void render(QPainter &painter, const QRect &area) override;
  QString title() const override { return tr("Devices"); }
  QString helpText() const override;
  QString key() const override { return QStringLiteral("devices"); }

  /// The console text at the current event (tests read it).
  QString consoleText() const;
  /// Row `row` of the VGA screen as text (tests read it).
  QString vgaRow(int row) const;
};

} // namespace ringside::desktop
