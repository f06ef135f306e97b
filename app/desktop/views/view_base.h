#pragma once
// A view: a widget that draws the session's current state with QPainter. The same render()
// paints the screen, a PNG and an SVG, so every view can be exported for slides.
#include <QString>
#include <QWidget>

namespace ringside::desktop {

class Session;

class ViewBase : public QWidget {
  Q_OBJECT
public:
  ViewBase(Session &session, QWidget *parent = nullptr);

  /// Draws the view into `area` (on screen, into an image or an SVG).
  virtual void render(QPainter &painter, const QRect &area) = 0;
  /// The dock title.
  virtual QString title() const = 0;
  /// "What am I looking at": one or two sentences for the tooltip.
  virtual QString helpText() const = 0;
  /// Settings key and object name ("rings", "timeline", …).
  virtual QString key() const = 0;
  /// Size the view wants when exported (its content may be taller than its dock).
  virtual QSize exportSize() const { return size(); }

protected:
  void paintEvent(QPaintEvent *event) override;
  void changeEvent(QEvent *event) override;
  /// A small title line with an optional badge, drawn at the top of `area`; returns its height.
  int drawHeader(QPainter &painter, const QRect &area, const QString &text,
                 const QString &badge = {}) const;

  Session &session_;
};

} // namespace ringside::desktop
