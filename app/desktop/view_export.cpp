#include "view_export.h"

#include "core/event_store.h"
#include "trace/trace_json.h"
#include "views/view_base.h"

#include <QCoreApplication>
#include <QFile>
#include <QImage>
#include <QPainter>
#include <QSvgGenerator>

namespace ringside::desktop {

QString exportView(ViewBase &view, const QString &path) {
  const QSize size = view.exportSize();
  const QRect area(QPoint(0, 0), size);
  if (path.endsWith(QLatin1String(".svg"), Qt::CaseInsensitive)) {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(area);
    svg.setTitle(view.title());
    QPainter p;
    if (!p.begin(&svg))
      return QCoreApplication::translate("Export", "cannot write %1").arg(path);
    view.render(p, area);
    p.end();
    return {};
  }
  QImage image(size * 2, QImage::Format_ARGB32_Premultiplied); // 2×: sharp on slides
  image.setDevicePixelRatio(2);
  QPainter p(&image);
  p.setRenderHint(QPainter::Antialiasing);
  view.render(p, area);
  p.end();
  if (!image.save(path))
    return QCoreApplication::translate("Export", "cannot write %1").arg(path);
  return {};
}

QString exportTrace(const EventStore &store, const QString &path) {
  QFile file(path);
  if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate | QIODevice::Text))
    return QCoreApplication::translate("Export", "cannot write %1: %2")
        .arg(path, file.errorString());
  for (const Event &e : store.events()) {
    const std::string line = toJsonLine(e) + '\n';
    if (file.write(line.data(), static_cast<qint64>(line.size())) < 0)
      return QCoreApplication::translate("Export", "cannot write %1: %2")
          .arg(path, file.errorString());
  }
  return {};
}

} // namespace ringside::desktop
