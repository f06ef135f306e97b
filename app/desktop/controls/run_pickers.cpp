#include "controls/run_pickers.h"

#include "core/mmu_modes.h"
#include "vmm/technique.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QStandardItemModel>

namespace ringside::desktop {

namespace {

QString qs(std::string_view s) {
  return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

bool pick(QComboBox *box, const QString &name) {
  const int i = box->findData(name);
  const auto *model = qobject_cast<QStandardItemModel *>(box->model());
  if (i < 0 || (model && !model->item(i)->isEnabled()))
    return false;
  box->setCurrentIndex(i);
  return true;
}

} // namespace

RunPickers::RunPickers(QWidget *parent)
    : QWidget(parent), technique_(new QComboBox(this)), mmu_(new QComboBox(this)),
      techniqueLabel_(new QLabel(this)), mmuLabel_(new QLabel(this)) {
  technique_->setObjectName(QStringLiteral("technique"));
  mmu_->setObjectName(QStringLiteral("mmu"));
  auto *layout = new QHBoxLayout(this);
  layout->setContentsMargins(4, 0, 4, 0);
  layout->addWidget(techniqueLabel_);
  layout->addWidget(technique_);
  layout->addSpacing(8);
  layout->addWidget(mmuLabel_);
  layout->addWidget(mmu_);

  // Read the table every time the app starts: techniques being built appear as they land.
  for (const TechniqueInfo &t : techniques())
    technique_->addItem(qs(t.name), qs(t.name));
  for (const MmuModeChoice &m : mmuModeChoices())
    mmu_->addItem(QString::fromLatin1(m.name), QString::fromLatin1(m.name));
  auto *model = qobject_cast<QStandardItemModel *>(technique_->model());
  int i = 0;
  for (const TechniqueInfo &t : techniques()) {
    if (!t.built && model)
      model->item(i)->setEnabled(false);
    ++i;
  }
  pick(technique_, QStringLiteral("vtx"));
  pick(mmu_, QStringLiteral("native"));
  retranslate();
}

void RunPickers::retranslate() {
  techniqueLabel_->setText(tr("Technique:"));
  mmuLabel_->setText(tr("MMU:"));
  technique_->setToolTip(tr("How the guest is virtualized (--virt)"));
  mmu_->setToolTip(tr("How guest memory is translated (--mmu)"));
  int i = 0;
  for (const TechniqueInfo &t : techniques()) {
    const QString line = tr("%1: %2").arg(qs(t.title), qs(t.summary));
    technique_->setItemData(i++, t.built ? line : tr("%1 — not built yet in sim-core").arg(line),
                            Qt::ToolTipRole);
  }
  i = 0;
  for (const MmuModeChoice &m : mmuModeChoices())
    mmu_->setItemData(i++, QCoreApplication::translate("MmuModes", m.help), Qt::ToolTipRole);
}

void RunPickers::select(const RunFlags &flags) {
  pick(technique_, QString::fromStdString(flags.virt));
  pick(mmu_, QString::fromStdString(flags.mmu));
}

RunFlags RunPickers::apply(RunFlags flags) const {
  flags.virt = technique().toStdString();
  flags.mmu = mmu().toStdString();
  return flags;
}

QString RunPickers::technique() const { return technique_->currentData().toString(); }
QString RunPickers::mmu() const { return mmu_->currentData().toString(); }
bool RunPickers::setTechnique(const QString &name) { return pick(technique_, name); }
bool RunPickers::setMmu(const QString &name) { return pick(mmu_, name); }

} // namespace ringside::desktop
