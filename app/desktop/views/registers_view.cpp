#include "views/registers_view.h"

#include "session.h"
#include "theme.h"
#include "vmx/vmcs_fields.h"

#include <QPainter>

namespace ringside::desktop {

namespace {

/// Registers shown from the VMCS guest-state area: label and field name.
struct VmcsRegister {
  const char *label;
  const char *field;
};
constexpr VmcsRegister kVmcsRegisters[] = {
    {"RIP", "GUEST_RIP"},        {"RSP", "GUEST_RSP"},        {"RFLAGS", "GUEST_RFLAGS"},
    {"CR0", "GUEST_CR0"},        {"CR3", "GUEST_CR3"},        {"CR4", "GUEST_CR4"},
    {"EFER", "GUEST_IA32_EFER"}, {"CS", "GUEST_CS_SELECTOR"}, {"SS", "GUEST_SS_SELECTOR"},
    {"DS", "GUEST_DS_SELECTOR"}, {"ES", "GUEST_ES_SELECTOR"}, {"FS", "GUEST_FS_SELECTOR"},
    {"GS", "GUEST_GS_SELECTOR"}, {"TR", "GUEST_TR_SELECTOR"}, {"GDTR", "GUEST_GDTR_BASE"},
    {"IDTR", "GUEST_IDTR_BASE"},
};

} // namespace

RegistersView::RegistersView(Session &session, QWidget *parent) : ViewBase(session, parent) {
  setObjectName(key());
  setMinimumSize(240, 200);
  setToolTip(helpText());
}

QString RegistersView::helpText() const {
  return tr("What am I looking at: the guest's registers as the trace reports them. The first "
            "block comes from the latest events (RIP, CPL, CR2 of the last page fault, "
            "instructions retired); the second from the VMCS guest-state area, which the "
            "monitor saves on every VM exit (modelled). Lit values changed since the last exit.");
}

void RegistersView::render(QPainter &p, const QRect &area) {
  const Theme &t = Theme::current();
  const MachineState &s = session_.state();
  p.fillRect(area, t.background);
  const int top = drawHeader(p, area, tr("Registers at event %1").arg(s.applied),
                             s.vmcsSeen ? tr("VMCS: modelled") : QString());
  const double rh = 19 * t.fontScale;
  const double colW = std::max(200.0, 250.0 * t.fontScale);
  const int columns = std::max(1, static_cast<int>((area.width() - 16) / colW));
  int slot = 0;
  auto cell = [&](const QString &label, const QString &value, bool lit, bool known) {
    const int col = slot % columns, row = slot / columns;
    ++slot;
    const QRectF r(area.left() + 8 + col * colW, area.top() + top + row * rh, colW - 10, rh - 2);
    if (lit)
      p.fillRect(r, t.changed.lighter(t.id == ThemeId::Light ? 150 : 100));
    p.setFont(viewFont(9, true));
    p.setPen(t.muted);
    p.drawText(r.adjusted(4, 0, 0, 0), Qt::AlignVCenter | Qt::AlignLeft, label);
    p.setFont(monoFont(9.5));
    p.setPen(known ? t.text : t.muted);
    p.drawText(r.adjusted(0, 0, -4, 0), Qt::AlignVCenter | Qt::AlignRight,
               known ? value : QStringLiteral("—"));
  };
  auto hex = [](uint64_t v) { return QStringLiteral("0x") + QString::number(v, 16); };

  cell(tr("RIP (event)"), hex(s.rip), false, s.ripKnown);
  cell(tr("CPL"), QString::number(s.cpl), false, s.cplKnown);
  cell(tr("mode"), s.inRoot ? tr("VMX root") : tr("non-root"), s.inRoot, s.applied > 0);
  cell(tr("CR2 (#PF)"), hex(s.cr2), false, s.exceptions > 0);
  cell(tr("instructions"), QString::number(s.instructions), false, s.applied > 0);
  while (slot % columns)
    cell(QString(), QString(), false, true);
  slot += columns; // a blank row between the blocks
  for (const auto &reg : kVmcsRegisters) {
    const int row = [&] {
      const auto *f = findVmcsField(reg.field);
      return f ? vmcsRowOf(f->encoding) : -1;
    }();
    if (row < 0)
      continue;
    const auto r = static_cast<std::size_t>(row);
    const bool known = s.vmcsChangedSeq[r] != kNever;
    const bool lit = known && s.lastExitSeq != kNever && s.vmcsChangedSeq[r] >= s.lastExitSeq;
    cell(QString::fromLatin1(reg.label), hex(s.vmcsValue[r]), lit, known);
  }
}

} // namespace ringside::desktop
