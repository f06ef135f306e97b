#pragma once
// nasm syntax colours: comments, strings, numbers, registers, directives, labels, mnemonics.
#include <QRegularExpression>
#include <QSyntaxHighlighter>
#include <QTextCharFormat>
#include <vector>

namespace ringside::desktop {

class NasmHighlighter : public QSyntaxHighlighter {
  Q_OBJECT
public:
  explicit NasmHighlighter(QTextDocument *document);
  /// Re-reads the theme's colours.
  void restyle();

protected:
  void highlightBlock(const QString &text) override;

private:
  struct Rule {
    QRegularExpression pattern;
    QTextCharFormat format;
  };
  std::vector<Rule> rules_;
};

} // namespace ringside::desktop
