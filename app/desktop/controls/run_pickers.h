#pragma once
// The technique and MMU pickers of the toolbar: --virt from sim-core's technique table (the
// techniques not built yet are shown, disabled, with the reason) and --mmu from the table of
// memory modes. They read and write the RunFlags a run starts with.
#include "session.h"

#include <QWidget>

class QComboBox;
class QLabel;

namespace ringside::desktop {

class RunPickers : public QWidget {
  Q_OBJECT
public:
  explicit RunPickers(QWidget *parent = nullptr);

  /// Selects what `flags` asks for (a lesson's guest); unknown or unbuilt names are left alone.
  void select(const RunFlags &flags);
  /// `flags` with the picked technique and MMU mode.
  RunFlags apply(RunFlags flags) const;
  QString technique() const;
  QString mmu() const;
  /// Picks by name; false when the name is not offered or not built.
  bool setTechnique(const QString &name);
  bool setMmu(const QString &name);
  void retranslate();

private:
  QComboBox *technique_, *mmu_;
  QLabel *techniqueLabel_, *mmuLabel_;
};

} // namespace ringside::desktop
