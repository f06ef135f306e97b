#pragma once
// The guest's source: nasm colours, line numbers, the instruction of the current event lit,
// and an assembler or loader problem shown at its line (red line, message beside the code).
#include <QPlainTextEdit>

namespace ringside::desktop {

class NasmHighlighter;

class SourceEditor : public QPlainTextEdit {
  Q_OBJECT
public:
  explicit SourceEditor(QWidget *parent = nullptr);

  /// Lights 1-based `line` as the current instruction (0: none) and scrolls to it.
  void setCurrentLine(int line);
  int currentLine() const { return currentLine_; }
  /// Shows `message` at 1-based `line` (0: at the top); an empty message clears it.
  void setProblem(int line, const QString &message);
  int problemLine() const { return problemLine_; }
  const QString &problemMessage() const { return problem_; }
  void restyle();

  int gutterWidth() const;
  void paintGutter(QPaintEvent *event);

protected:
  void resizeEvent(QResizeEvent *event) override;
  void paintEvent(QPaintEvent *event) override;

private:
  void refreshSelections();
  QWidget *gutter_;
  NasmHighlighter *highlighter_;
  int currentLine_ = 0, problemLine_ = 0;
  QString problem_;
};

} // namespace ringside::desktop
