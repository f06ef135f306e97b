#include "views/compare_view.h"

#include "errors.h"
#include "theme.h"

#include <QFileInfo>
#include <QPainter>
#include <array>
#include <vector>

namespace ringside::desktop {

namespace {

QString qs(std::string_view s) {
  return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

/// Bar colours by CostOp (instructions, port I/O, page faults, other exceptions, exits,
/// hypercalls, traps, callouts, translations, syscalls, call/ret, ptemod, ptemod and page
/// faults under EPT).
constexpr std::array<QRgb, kCostOpCount> kPartColours = {
    0x8A96A8, 0x2E86DE, 0xE8A317, 0xB5651D, 0xE0483E, 0x8E5BD8, 0x3B3B3B,
    0x1B998B, 0x6C4F3D, 0x7FB800, 0xF25F5C, 0xC2185B, 0xB0BEC5, 0xF3C969};

} // namespace

CompareView::CompareView(Session &session, QWidget *parent) : ViewBase(session, parent) {
  setObjectName(key());
  setMinimumSize(320, 200);
  setToolTip(helpText());
  poll_.setInterval(50);
  connect(&poll_, &QTimer::timeout, this, &CompareView::collect);
}

CompareView::~CompareView() { cancel(); }

QString CompareView::helpText() const {
  return tr("What am I looking at: the same guest run under each virtualization technique "
            "built (as `ringside compare` does): instructions, VM exits, port I/O, faults and "
            "hypercalls counted from each run's trace, and an estimated cost in cycles. The "
            "bars split that estimate by operation. The cycles are a model with 2006 Pentium 4 "
            "figures (Adams & Agesen), not a measurement.");
}

QString CompareView::compare(const QString &guestPath, const std::string &vmxProfile) {
  cancel();
  GuestImage image;
  try {
    image = loadGuestImage(guestPath.toStdString());
  } catch (const std::exception &e) {
    rows_.clear(); // they were another guest's
    label_ = QFileInfo(guestPath).fileName();
    error_ = QString::fromStdString(e.what());
    update();
    return error_;
  }
  rows_.clear();
  error_.clear();
  label_ = QFileInfo(guestPath).fileName();
  done_ = false;
  cancelled_ = false;
  CompareRequest request;
  request.vmxProfile = vmxProfile;
  request.maxInstructions = 50'000'000;
  worker_ = std::thread([this, image = std::move(image), request] {
    std::vector<TechniqueRun> rows;
    std::string error;
    try {
      rows = compareTechniques(image, request, [this](Backend *b) {
        std::lock_guard lock(mutex_);
        running_ = b;
        if (b && cancelled_)
          b->requestStop();
      });
    } catch (const std::exception &e) {
      error = e.what();
    }
    {
      std::lock_guard lock(mutex_);
      pending_ = std::move(rows);
      pendingError_ = std::move(error);
    }
    done_ = true;
  });
  poll_.start();
  update();
  return {};
}

void CompareView::cancel() {
  if (!worker_.joinable())
    return;
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
    if (running_)
      running_->requestStop();
  }
  join();
  pending_.clear();
  poll_.stop();
  update();
}

void CompareView::join() {
  if (worker_.joinable())
    worker_.join();
}

void CompareView::collect() {
  if (!worker_.joinable() || !done_)
    return;
  join();
  poll_.stop();
  std::lock_guard lock(mutex_);
  if (!cancelled_) {
    rows_ = std::move(pending_);
    error_ = QString::fromStdString(pendingError_);
  }
  pending_.clear();
  update();
  emit finished();
}

void CompareView::setRows(std::vector<TechniqueRun> rows, const QString &label) {
  cancel();
  rows_ = std::move(rows);
  label_ = label;
  error_.clear();
  update();
}

void CompareView::render(QPainter &p, const QRect &area) {
  const Theme &t = Theme::current();
  p.fillRect(area, t.background);
  if (busy()) {
    drawHeader(p, area, tr("Compare: running %1 under every technique…").arg(label_));
    return;
  }
  if (!error_.isEmpty()) {
    const int top = drawHeader(p, area, tr("Compare: the comparison failed"));
    p.setPen(t.error);
    p.setFont(viewFont(9));
    p.drawText(QRectF(area).adjusted(10, top + 6, -10, -6), Qt::TextWordWrap, error_);
    return;
  }
  if (rows_.empty()) {
    drawHeader(p, area,
               tr("Compare: Run → Compare techniques runs the editor's guest under "
                  "each technique"));
    return;
  }
  const int top =
      drawHeader(p, area, tr("Compare: %1 under each technique").arg(label_), tr("modelled"));

  // The table: one line per technique, then a bar per technique. Columns as wide as their
  // widest text; when the view is narrower, the technique names give way (elided).
  const QStringList heads = {tr("technique"),  tr("stop"),        tr("instructions"),
                             tr("exits"),      tr("I/O"),         tr("faults"),
                             tr("hypercalls"), tr("est. cycles"), tr("vs first")};
  const double baseline = rows_.front().cost.cycles;
  double most = 1;
  for (const auto &r : rows_)
    most = std::max(most, r.cost.cycles);
  std::vector<QStringList> lines;
  for (const auto &r : rows_)
    lines.push_back({qs(techniqueInfo(r.technique).title),
                     QString::fromLatin1(stopKindName(r.result.stop.kind)),
                     QString::number(r.result.instructions), QString::number(r.exitCount()),
                     QString::number(r.counts[CostOp::PortIo]), QString::number(r.faults()),
                     QString::number(r.counts[CostOp::Hypercall]),
                     QString::number(r.cost.cycles, 'f', 0),
                     baseline > 0 ? QStringLiteral("%1×").arg(r.cost.cycles / baseline, 0, 'f', 2)
                                  : QStringLiteral("—")});
  const QRectF body = QRectF(area).adjusted(10, top + 4, -10, -6);
  const QFontMetricsF bold(viewFont(9.5, true)), plain(viewFont(9.5));
  std::vector<double> widths(static_cast<std::size_t>(heads.size()));
  for (int c = 0; c < heads.size(); ++c) {
    auto &w = widths[static_cast<std::size_t>(c)];
    w = bold.horizontalAdvance(heads[c]) + 14;
    for (const auto &l : lines)
      w = std::max(w, plain.horizontalAdvance(l[c]) + 14);
  }
  double others = 0;
  for (std::size_t c = 1; c < widths.size(); ++c)
    others += widths[c];
  widths[0] = std::max(60.0, std::min(widths[0], body.width() - others));
  const double spare = std::max(0.0, body.width() - others - widths[0]);
  widths[0] += spare; // the rest of the width goes to the names
  const double lineH = plain.height() + 6;
  auto cells = [&](double y, const QStringList &texts, bool isHead) {
    double x = body.left();
    p.setFont(viewFont(9.5, isHead));
    for (int c = 0; c < texts.size(); ++c) {
      const double w = widths[static_cast<std::size_t>(c)];
      const QString text =
          c == 0 ? p.fontMetrics().elidedText(texts[c], Qt::ElideRight, static_cast<int>(w - 6))
                 : texts[c];
      p.drawText(QRectF(x + 2, y, w - 4, lineH),
                 (c == 0 ? Qt::AlignLeft : Qt::AlignRight) | Qt::AlignVCenter, text);
      x += w;
    }
  };
  p.setPen(t.muted);
  cells(body.top(), heads, true);
  double y = body.top() + lineH;
  for (const auto &l : lines) {
    p.setPen(t.text);
    cells(y, l, false);
    y += lineH;
  }

  // The legend and the caveat sit at the bottom (the caveat wraps, it is long; the legend wraps
  // too, it has a colour per cost-model operation): lay them out first, the bars get the rest.
  QString missing;
  for (const auto &tech : techniques())
    if (!tech.built)
      missing += (missing.isEmpty() ? QString() : QStringLiteral(", ")) + qs(tech.name);
  const QString caveat =
      tr("cycles: a model with 2006 Pentium 4 figures (Adams & Agesen, ASPLOS 2006), not "
         "a measurement") +
      (missing.isEmpty() ? QString() : tr(" · not built yet: %1").arg(missing));
  p.setFont(viewFont(8.5));
  const QRectF caveatBox = p.fontMetrics().boundingRect(
      QRect(0, 0, static_cast<int>(body.width()), 1000), Qt::TextWordWrap, caveat);
  struct LegendItem {
    QString name;
    std::size_t op;
    QPointF at; ///< relative to the legend's top left
  };
  std::vector<LegendItem> legend;
  double lx = 0, ly = 0;
  for (const CostRow &c : costTable()) {
    const QString name = qs(c.name);
    const double w = p.fontMetrics().horizontalAdvance(name) + 24;
    if (lx > 0 && lx + w > body.width()) {
      lx = 0;
      ly += lineH;
    }
    legend.push_back({name, static_cast<std::size_t>(c.op), QPointF(lx, ly)});
    lx += w;
  }
  const double legendY = body.bottom() - caveatBox.height() - ly - lineH;

  // Bars: estimated cycles, split by operation.
  y += lineH * 0.5;
  const double labelW = std::min(widths[0], 90.0 * Theme::current().fontScale);
  // Every technique gets its bar: thinner bars when the view is short (presenter mode).
  const double rowsN = std::max<double>(1.0, double(rows_.size()));
  const double fitH = (legendY - 4 - y - 2 * (rowsN - 1)) / rowsN;
  const double roomy = std::max(10.0, lineH * 0.8);
  const double barH = std::max(4.0, std::min(roomy, fitH));
  const double gap = fitH < roomy ? 2.0 : 4.0;
  p.setFont(viewFont(9));
  for (const auto &r : rows_) {
    if (y + barH > legendY - 4)
      break;
    p.setPen(t.text);
    p.drawText(QRectF(body.left(), y, labelW - 6, barH), Qt::AlignLeft | Qt::AlignVCenter,
               qs(techniqueInfo(r.technique).name));
    double x = body.left() + labelW;
    const double full = body.width() - labelW;
    for (std::size_t op = 0; op < kCostOpCount; ++op) {
      const double w = full * r.cost.parts[op] / most;
      if (w <= 0)
        continue;
      p.fillRect(QRectF(x, y, w, barH), QColor(kPartColours[op]));
      x += w;
    }
    y += barH + gap;
  }
  p.setFont(viewFont(8.5));
  for (const auto &item : legend) {
    const QPointF at(body.left() + item.at.x(), legendY + item.at.y());
    p.fillRect(QRectF(at.x(), at.y() + (lineH - 10) / 2, 10, 10), QColor(kPartColours[item.op]));
    p.setPen(t.muted);
    p.drawText(QRectF(at.x() + 14, at.y(), body.width(), lineH), Qt::AlignLeft | Qt::AlignVCenter,
               item.name);
  }
  p.drawText(QRectF(body.left(), legendY + ly + lineH, body.width(), caveatBox.height()),
             Qt::TextWordWrap | Qt::AlignLeft | Qt::AlignTop, caveat);
}

} // namespace ringside::desktop
