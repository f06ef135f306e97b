#pragma once
// The lessons: one folder per lesson under lessons/, with the guests (.asm) inside. (A lesson
// format with instructions and checks comes later; until then a lesson is its folder.)
#include <QString>
#include <QStringList>
#include <QTreeWidget>
#include <vector>

namespace ringside::desktop {

struct Lesson {
  QString name;       ///< the folder name, e.g. "00-hello"
  QStringList guests; ///< absolute paths of its .asm files, sorted
};

/// Lessons under `root`, sorted by folder name; folders without a guest are left out.
std::vector<Lesson> findLessons(const QString &root);

class LessonBrowser : public QTreeWidget {
  Q_OBJECT
public:
  explicit LessonBrowser(QWidget *parent = nullptr);
  void setRoot(const QString &root);
  const QString &root() const { return root_; }

signals:
  void guestChosen(const QString &path);

private:
  QString root_;
};

} // namespace ringside::desktop
