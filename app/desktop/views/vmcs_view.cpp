#include "views/vmcs_view.h"

#include "session.h"
#include "theme.h"
#include "vmx/vmcs_fields.h"

#include <QComboBox>
#include <QHelpEvent>
#include <QPaintEngine>
#include <QPainter>
#include <QToolTip>
#include <array>

namespace ringside::desktop {

namespace {

QString sv(std::string_view s) { return QString::fromLatin1(s.data(), static_cast<int>(s.size())); }

/// Display order of the SDM groups, and their rows.
const std::array<VmcsGroup, 7> kGroupOrder = {
    VmcsGroup::ExecutionControls, VmcsGroup::ExitControls,     VmcsGroup::EntryControls,
    VmcsGroup::GuestRegister,     VmcsGroup::GuestNonRegister, VmcsGroup::Host,
    VmcsGroup::ExitInformation};

const std::vector<std::vector<int>> &rowsByGroup() {
  static const std::vector<std::vector<int>> cached = [] {
    std::vector<std::vector<int>> groups(kGroupOrder.size());
    const auto &rows = vmcsFieldRows();
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const auto *f = findVmcsField(rows[r]);
      for (std::size_t g = 0; g < kGroupOrder.size(); ++g)
        if (f && f->group == kGroupOrder[g])
          groups[g].push_back(static_cast<int>(r));
    }
    return groups;
  }();
  return cached;
}

double rowHeight() { return 17 * Theme::current().fontScale; }
double columnWidth() { return 430 * Theme::current().fontScale; }

/// The fields of the VMCS the view shows: the VMM's, or a guest-written hypervisor's.
struct Fields {
  const std::vector<uint64_t> &value, &changedSeq;
  uint64_t lastExit; ///< "since the last exit": the VMM's exits, or the nested guest's
};

Fields fieldsOf(const MachineState &s, uint64_t region) {
  if (const GuestVmcs *g = region == kVmmVmcs ? nullptr : s.guestVmcsAt(region))
    return {g->value, g->changedSeq, s.lastNestedExitSeq};
  return {s.vmcsValue, s.vmcsChangedSeq, s.lastExitSeq};
}

bool changedSinceExit(const Fields &f, int row) {
  const uint64_t changed = f.changedSeq[static_cast<std::size_t>(row)];
  return changed != kNever && f.lastExit != kNever && changed >= f.lastExit;
}

} // namespace

VmcsView::VmcsView(Session &session, QWidget *parent)
    : ViewBase(session, parent), regionBox_(new QComboBox(this)) {
  setObjectName(key());
  regionBox_->setObjectName(QStringLiteral("vmcsRegion"));
  regionBox_->hide();
  connect(regionBox_, &QComboBox::activated, this,
          [this](int i) { setRegion(regionBox_->itemData(i).toULongLong()); });
  connect(&session_, &Session::cursorChanged, this, &VmcsView::refreshRegions);
  setMouseTracking(true);
  setToolTip(helpText());
  setMinimumSize(320, 200);
}

QString VmcsView::helpText() const {
  return tr("What am I looking at: the VMCS, the structure a VT-x monitor keeps per virtual CPU "
            "(controls, guest state, host state, exit information), field by field with its "
            "encoding and value at the current event, built from vmcs events. Lit fields "
            "changed since the last VM exit. The data is modelled: Ringside's VT-x model keeps "
            "this VMCS (KVM never exposes its own). Hover a field for details.");
}

int VmcsView::layoutHeight(int width) const {
  const int columns = std::max(1, static_cast<int>(width / columnWidth()));
  const auto &groups = rowsByGroup();
  std::size_t total = 0;
  for (const auto &g : groups)
    total += g.size() + 2;
  const double perColumn = std::ceil(static_cast<double>(total) / columns) + 2;
  return static_cast<int>(40 * Theme::current().fontScale + perColumn * rowHeight() +
                          (regionBox_->isVisibleTo(this) ? 36 : 0));
}

QSize VmcsView::exportSize() const { return {width(), std::max(height(), layoutHeight(width()))}; }

void VmcsView::resizeEvent(QResizeEvent *event) {
  // Inside a scroll area: as tall as the content needs at this width.
  setMinimumHeight(layoutHeight(width()));
  ViewBase::resizeEvent(event);
}

int VmcsView::changedFieldCount() const {
  const Fields f = fieldsOf(session_.state(), region_);
  int n = 0;
  for (std::size_t r = 0; r < vmcsFieldRows().size(); ++r)
    n += changedSinceExit(f, static_cast<int>(r)) ? 1 : 0;
  return n;
}

void VmcsView::refreshRegions() {
  const MachineState &s = session_.state();
  if (s.guestVmcs.size() + 1 == static_cast<std::size_t>(regionBox_->count()) &&
      regionBox_->isVisibleTo(this) == !s.guestVmcs.empty())
    return;
  regionBox_->clear();
  regionBox_->addItem(tr("Ringside's VMM (its VMCS for the guest)"),
                      QVariant::fromValue<qulonglong>(kVmmVmcs));
  for (const GuestVmcs &g : s.guestVmcs)
    regionBox_->addItem(tr("guest hypervisor's VMCS at 0x%1").arg(QString::number(g.region, 16)),
                        QVariant::fromValue<qulonglong>(g.region));
  if (region_ != kVmmVmcs && !s.guestVmcsAt(region_))
    region_ = kVmmVmcs; // scrubbed back to before that region's first write
  regionBox_->setCurrentIndex(regionBox_->findData(QVariant::fromValue<qulonglong>(region_)));
  regionBox_->setVisible(!s.guestVmcs.empty());
  setMinimumHeight(layoutHeight(width()));
  regionBox_->adjustSize();
  regionBox_->move(8, QFontMetrics(viewFont(10, true)).height() + 6); // under the header
  update();
}

bool VmcsView::setRegion(uint64_t region) {
  if (region != kVmmVmcs && !session_.state().guestVmcsAt(region))
    return false;
  region_ = region;
  const int i = regionBox_->findData(QVariant::fromValue<qulonglong>(region));
  if (i >= 0)
    regionBox_->setCurrentIndex(i);
  update();
  return true;
}

void VmcsView::drawStatic(QPainter &p, const QRect &area, int top) {
  const Theme &t = Theme::current();
  const int columns = std::max(1, static_cast<int>(area.width() / columnWidth()));
  const double colW = static_cast<double>(area.width() - 16) / columns;
  const auto &groups = rowsByGroup();
  std::size_t total = 0;
  for (const auto &g : groups)
    total += g.size() + 2;
  const auto perColumn = static_cast<std::size_t>(std::ceil(static_cast<double>(total) / columns));

  cells_.clear();
  const double rh = rowHeight();
  const QFont nameFont = monoFont(8.5), groupFont = viewFont(9.5, true);
  std::size_t line = 0;
  auto position = [&](std::size_t l) {
    const std::size_t column = l / perColumn; // whole columns
    return QPointF(area.left() + 8 + static_cast<double>(column) * colW,
                   area.top() + top + static_cast<double>(l % perColumn) * rh);
  };
  for (std::size_t g = 0; g < groups.size(); ++g) {
    if (line % perColumn != 0 && line % perColumn + 2 >= perColumn)
      line += perColumn - line % perColumn; // no group title alone at the foot of a column
    const QPointF at = position(line);
    p.setFont(groupFont);
    p.setPen(t.accent);
    p.drawText(QRectF(at.x(), at.y(), colW - 8, rh * 1.2), Qt::AlignLeft | Qt::AlignBottom,
               sv(vmcsGroupName(kGroupOrder[g])));
    line += 1;
    p.setFont(nameFont);
    for (int row : groups[g]) {
      const QPointF rp = position(line++);
      const QRectF cell(rp.x(), rp.y(), colW - 10, rh);
      const QRectF value(cell.left() + cell.width() * 0.68, cell.top(), cell.width() * 0.32 - 4,
                         rh);
      cells_.push_back(Cell{cell, value, row});
      const uint32_t encoding = vmcsFieldRows()[static_cast<std::size_t>(row)];
      p.setPen(t.text);
      const double nameW = cell.width() * 0.56;
      p.drawText(QRectF(cell.left() + 4, cell.top(), nameW, rh), Qt::AlignVCenter | Qt::AlignLeft,
                 p.fontMetrics().elidedText(sv(vmcsFieldName(encoding)), Qt::ElideRight,
                                            static_cast<int>(nameW - 4)));
      p.setPen(t.muted);
      p.drawText(QRectF(cell.left() + nameW, cell.top(), cell.width() * 0.12, rh),
                 Qt::AlignVCenter | Qt::AlignLeft,
                 QString::number(encoding, 16).rightJustified(4, QLatin1Char('0')));
      p.drawText(value, Qt::AlignVCenter | Qt::AlignRight, QStringLiteral("—"));
    }
    line += 1;
  }
}

void VmcsView::render(QPainter &p, const QRect &area) {
  const Theme &t = Theme::current();
  const MachineState &s = session_.state();
  const Fields f = fieldsOf(s, region_);
  const bool guestRegion = region_ != kVmmVmcs && s.guestVmcsAt(region_);
  QString header = s.vmcsSeen || guestRegion
                       ? tr("VMCS at event %1 · %2 fields changed since the last VM exit")
                             .arg(s.applied)
                             .arg(changedFieldCount())
                       : tr("VMCS: no vmcs events yet (this backend or run has none to show)");
  if (guestRegion)
    header = tr("Guest hypervisor's VMCS at 0x%1 · event %2 · %3 fields changed since the last "
                "nested exit")
                 .arg(QString::number(region_, 16))
                 .arg(s.applied)
                 .arg(changedFieldCount());
  p.setFont(viewFont(10, true));
  // The region selector, when shown, sits on a line of its own under the header.
  const int top = p.fontMetrics().height() + 8 +
                  (regionBox_->isVisibleTo(this) ? regionBox_->sizeHint().height() + 6 : 0);

  // Names, encodings and group titles change only with size, theme and language: on screen
  // they come from an image drawn once; an SVG export gets them as vectors.
  const bool vector = p.paintEngine() && p.paintEngine()->type() == QPaintEngine::SVG;
  const QString cacheKey = QStringLiteral("%1x%2/%3/%4/%5/%6@%7")
                               .arg(area.width())
                               .arg(area.height())
                               .arg(static_cast<int>(t.id))
                               .arg(t.fontScale)
                               .arg(tr("modelled"))
                               .arg(top)
                               .arg(p.device() ? p.device()->devicePixelRatioF() : 1.0);
  if (vector) {
    p.fillRect(area, t.background);
    drawStatic(p, area, top);
    cacheKey_.clear();
  } else {
    if (cacheKey != cacheKey_ || cache_.isNull()) {
      const qreal dpr = p.device() ? p.device()->devicePixelRatioF() : 1.0;
      cache_ = QImage(area.size() * dpr, QImage::Format_ARGB32_Premultiplied);
      cache_.setDevicePixelRatio(dpr);
      cache_.fill(t.background);
      QPainter cp(&cache_);
      cp.setRenderHint(QPainter::Antialiasing);
      drawStatic(cp, QRect(QPoint(0, 0), area.size()), top);
      for (Cell &c : cells_) { // cells_ in widget coordinates
        c.rect.translate(area.topLeft());
        c.value.translate(area.topLeft());
      }
      cacheKey_ = cacheKey;
    }
    p.drawImage(area.topLeft(), cache_);
  }
  p.fillRect(QRect(area.left(), area.top(), area.width(), top), t.background);
  drawHeader(p, area, header, s.vmcsSeen || guestRegion ? tr("modelled") : QString());

  // What changes from event to event: highlights and the values that events have set.
  QColor lit = t.changed;
  lit.setAlpha(t.id == ThemeId::Light ? 90 : 120);
  const uint64_t current = s.applied == 0 ? kNever : s.applied - 1;
  p.setFont(monoFont(8.5));
  for (const Cell &c : cells_) {
    const auto r = static_cast<std::size_t>(c.row);
    if (f.changedSeq[r] == kNever)
      continue;
    p.fillRect(c.value, t.background);
    if (changedSinceExit(f, c.row))
      p.fillRect(c.rect, lit);
    if (f.changedSeq[r] == current && current != kNever) {
      p.setPen(QPen(t.accent, 2));
      p.drawRect(c.rect.adjusted(1, 1, -1, -1));
    }
    p.setPen(t.text);
    p.drawText(c.value, Qt::AlignVCenter | Qt::AlignRight,
               QStringLiteral("0x") + QString::number(f.value[r], 16));
  }
}

bool VmcsView::event(QEvent *e) {
  if (e->type() == QEvent::LanguageChange) {
    regionBox_->clear(); // its items say whose VMCS in the old language
    refreshRegions();
  }
  if (e->type() == QEvent::ToolTip) {
    const auto *help = static_cast<QHelpEvent *>(e);
    for (const Cell &c : cells_) {
      if (!c.rect.contains(help->pos()))
        continue;
      const Fields fields = fieldsOf(session_.state(), region_);
      const auto r = static_cast<std::size_t>(c.row);
      const uint32_t encoding = vmcsFieldRows()[r];
      const VmcsFieldInfo *f = findVmcsField(encoding);
      QString text = QStringLiteral("<b>%1</b> (0x%2)<br>")
                         .arg(sv(vmcsFieldName(encoding)))
                         .arg(encoding, 4, 16, QLatin1Char('0'));
      if (f)
        text += tr("%1 · %2-bit · %3")
                    .arg(sv(vmcsGroupName(f->group)), sv(vmcsWidthName(f->width)),
                         sv(vmcsTypeName(f->type)));
      if (fields.changedSeq[r] != kNever) {
        const uint64_t v = fields.value[r];
        text += QStringLiteral("<br>") + tr("value 0x%1 = %2, last changed at event %3")
                                             .arg(QString::number(v, 16))
                                             .arg(v)
                                             .arg(fields.changedSeq[r]);
        text += QStringLiteral("<br>") + tr("bits set: %1").arg([&] {
          QStringList bits;
          for (int b = 63; b >= 0; --b)
            if (v >> b & 1)
              bits << QString::number(b);
          return bits.isEmpty() ? QStringLiteral("none") : bits.join(QLatin1Char(' '));
        }());
      } else {
        text += QStringLiteral("<br>") + tr("no vmcs event has set this field yet");
      }
      QToolTip::showText(help->globalPos(), text, this);
      return true;
    }
    QToolTip::showText(help->globalPos(), helpText(), this);
    return true;
  }
  return ViewBase::event(e);
}

} // namespace ringside::desktop
