#include "editor/source_editor.h"

#include "editor/nasm_highlighter.h"
#include "theme.h"

#include <QPainter>
#include <QTextBlock>

namespace ringside::desktop {

namespace {

class Gutter : public QWidget {
public:
  explicit Gutter(SourceEditor *editor) : QWidget(editor), editor_(editor) {}
  QSize sizeHint() const override { return {editor_->gutterWidth(), 0}; }

protected:
  void paintEvent(QPaintEvent *event) override { editor_->paintGutter(event); }

private:
  SourceEditor *editor_;
};

} // namespace

SourceEditor::SourceEditor(QWidget *parent)
    : QPlainTextEdit(parent), gutter_(new Gutter(this)),
      highlighter_(new NasmHighlighter(document())) {
  setObjectName(QStringLiteral("editor"));
  setLineWrapMode(QPlainTextEdit::NoWrap);
  connect(this, &QPlainTextEdit::blockCountChanged, this,
          [this] { setViewportMargins(gutterWidth(), 0, 0, 0); });
  connect(this, &QPlainTextEdit::updateRequest, this, [this](const QRect &rect, int dy) {
    if (dy)
      gutter_->scroll(0, dy);
    else
      gutter_->update(0, rect.y(), gutter_->width(), rect.height());
  });
  restyle();
}

void SourceEditor::restyle() {
  setFont(monoFont(10.5));
  setViewportMargins(gutterWidth(), 0, 0, 0);
  highlighter_->restyle();
  refreshSelections();
}

int SourceEditor::gutterWidth() const {
  const int digits = QString::number(std::max(1, blockCount())).size();
  return 14 + fontMetrics().horizontalAdvance(QLatin1Char('9')) * std::max(3, digits);
}

void SourceEditor::resizeEvent(QResizeEvent *event) {
  QPlainTextEdit::resizeEvent(event);
  const QRect r = contentsRect();
  gutter_->setGeometry(QRect(r.left(), r.top(), gutterWidth(), r.height()));
}

void SourceEditor::paintGutter(QPaintEvent *event) {
  const Theme &t = Theme::current();
  QPainter p(gutter_);
  p.fillRect(event->rect(), t.background);
  p.setFont(font());
  QTextBlock block = firstVisibleBlock();
  int top = qRound(blockBoundingGeometry(block).translated(contentOffset()).top());
  while (block.isValid() && top <= event->rect().bottom()) {
    const int line = block.blockNumber() + 1;
    const int h = qRound(blockBoundingRect(block).height());
    if (line == problemLine_)
      p.fillRect(0, top, gutter_->width(), h, t.error);
    else if (line == currentLine_)
      p.fillRect(0, top, gutter_->width(), h, t.accent);
    p.setPen(line == problemLine_ || line == currentLine_ ? QColor(Qt::white) : t.muted);
    p.drawText(0, top, gutter_->width() - 6, h, Qt::AlignRight | Qt::AlignVCenter,
               QString::number(line));
    block = block.next();
    top += h;
  }
}

void SourceEditor::setCurrentLine(int line) {
  if (line == currentLine_)
    return;
  currentLine_ = line;
  refreshSelections();
  if (line > 0) {
    const QTextBlock block = document()->findBlockByNumber(line - 1);
    if (block.isValid()) {
      QTextCursor cursor(block);
      setTextCursor(cursor);
      ensureCursorVisible();
    }
  }
  gutter_->update();
}

void SourceEditor::setProblem(int line, const QString &message) {
  problem_ = message;
  problemLine_ = message.isEmpty() ? 0 : std::max(1, line);
  refreshSelections();
  gutter_->update();
  viewport()->update();
}

void SourceEditor::refreshSelections() {
  const Theme &t = Theme::current();
  QList<QTextEdit::ExtraSelection> selections;
  auto lineSelection = [&](int line, const QColor &colour) {
    QTextEdit::ExtraSelection s;
    s.format.setBackground(colour);
    s.format.setProperty(QTextFormat::FullWidthSelection, true);
    s.cursor = QTextCursor(document()->findBlockByNumber(line - 1));
    selections.append(s);
  };
  if (currentLine_ > 0)
    lineSelection(currentLine_, t.highlight);
  if (problemLine_ > 0) {
    QColor c = t.error;
    c.setAlpha(60);
    lineSelection(problemLine_, c);
  }
  setExtraSelections(selections);
}

void SourceEditor::paintEvent(QPaintEvent *event) {
  QPlainTextEdit::paintEvent(event);
  if (problem_.isEmpty())
    return;
  // The problem's message, in the space right of its line's code.
  const QTextBlock block = document()->findBlockByNumber(problemLine_ - 1);
  if (!block.isValid())
    return;
  const QRectF r = blockBoundingGeometry(block).translated(contentOffset());
  QPainter p(viewport());
  QFont f = font();
  f.setItalic(true);
  f.setBold(true);
  p.setFont(f);
  const int codeWidth = fontMetrics().horizontalAdvance(block.text()) + 24;
  const QString text = QStringLiteral("◀ ") + problem_;
  const int x = std::max(codeWidth, 0) + static_cast<int>(r.left());
  const QRect box(x, static_cast<int>(r.top()), viewport()->width() - x - 4,
                  static_cast<int>(r.height()));
  QColor bg = Theme::current().error;
  p.fillRect(
      QRect(box.left() - 4, box.top(), fontMetrics().horizontalAdvance(text) + 40, box.height()),
      bg);
  p.setPen(Qt::white);
  p.drawText(box, Qt::AlignVCenter | Qt::AlignLeft, text);
}

} // namespace ringside::desktop
