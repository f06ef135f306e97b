#include "editor/nasm_highlighter.h"

#include "theme.h"

namespace ringside::desktop {

namespace {

QTextCharFormat charFormat(const QColor &colour, bool bold = false, bool italic = false) {
  QTextCharFormat f;
  f.setForeground(colour);
  if (bold)
    f.setFontWeight(QFont::Bold);
  f.setFontItalic(italic);
  return f;
}

} // namespace

NasmHighlighter::NasmHighlighter(QTextDocument *document) : QSyntaxHighlighter(document) {
  restyle();
}

void NasmHighlighter::restyle() {
  const bool dark = Theme::current().id != ThemeId::Light;
  const QColor keyword = dark ? QColor(QRgb(0x82AAFF)) : QColor(QRgb(0x1F4FB8));
  const QColor reg = dark ? QColor(QRgb(0xF78C6C)) : QColor(QRgb(0xA0400E));
  const QColor number = dark ? QColor(QRgb(0xC3E88D)) : QColor(QRgb(0x2E7D32));
  const QColor directive = dark ? QColor(QRgb(0xC792EA)) : QColor(QRgb(0x7B2CBF));
  const QColor string = dark ? QColor(QRgb(0xFFCB6B)) : QColor(QRgb(0xB5651D));
  const QColor label = dark ? QColor(QRgb(0xFFFFFF)) : QColor(QRgb(0x000000));
  const QColor comment = dark ? QColor(QRgb(0x8A949E)) : QColor(QRgb(0x6A737D));
  const auto ci = QRegularExpression::CaseInsensitiveOption;
  rules_ = {
      {QRegularExpression(QStringLiteral(R"(^\s*[A-Za-z_.$?][\w.$?@]*:)")),
       charFormat(label, true)},
      {QRegularExpression(
           QStringLiteral(
               R"(\b(mov[a-z]*|add|sub|adc|sbb|inc|dec|neg|not|and|or|xor|test|cmp|)"
               R"(shl|shr|sal|sar|rol|ror|lea|push[a-z]*|pop[a-z]*|call|ret[fn]?|)"
               R"(j[a-z]{1,4}|loop[a-z]*|int[o3]?|iret[dq]?|in|out|ins[bwd]?|outs[bwd]?|)"
               R"(lods[bwdq]?|stos[bwdq]?|rep[a-z]*|hlt|cli|sti|nop|cpuid|rdmsr|wrmsr|)"
               R"(lgdt|lidt|lldt|ltr|invlpg|sysenter|sysexit|syscall|sysret|vm[a-z]+|)"
               R"(xchg|mul|imul|div|idiv|cbw|cwd|cdq|cdqe|cqo|clc|stc|cld|std|rdtsc|ud2)\b)"),
           ci),
       charFormat(keyword, true)},
      {QRegularExpression(
           QStringLiteral(
               R"(\b([re]?[abcd]x|[abcd][hl]|[re]?[sd]il?|[re]?[sb]pl?|r(8|9|1[0-5])[dwb]?|)"
               R"([c-gs]s|cr[0-8]|dr[0-7]|[re]?ip|[re]?flags)\b)"),
           ci),
       charFormat(reg)},
      {QRegularExpression(QStringLiteral(R"(\b(0x[0-9a-f_]+|[0-9][0-9a-f_]*h|[0-9]+)\b)"), ci),
       charFormat(number)},
      {QRegularExpression(
           QStringLiteral(R"((^|\s)(bits|org|section|segment|align|times|d[bwdqt]|res[bwdq]|)"
                          R"(equ|global|extern|use16|use32|use64|default|%\w+|byte|word|dword|)"
                          R"(qword|ptr|far|near|short)\b)"),
           ci),
       charFormat(directive)},
      {QRegularExpression(QStringLiteral(R"("[^"]*"|'[^']*'|`[^`]*`)")), charFormat(string)},
      {QRegularExpression(QStringLiteral(R"(;.*$)")), charFormat(comment, false, true)},
  };
  rehighlight();
}

void NasmHighlighter::highlightBlock(const QString &text) {
  // Later rules win: strings over keywords, comments over everything.
  for (const Rule &rule : rules_) {
    auto it = rule.pattern.globalMatch(text);
    while (it.hasNext()) {
      const auto m = it.next();
      setFormat(static_cast<int>(m.capturedStart()), static_cast<int>(m.capturedLength()),
                rule.format);
    }
  }
}

} // namespace ringside::desktop
