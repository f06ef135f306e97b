#pragma once
// The lessons: one folder per lesson under lessons/. A folder with a lesson.toml
// (docs/lesson-format.md) shows its title in the current language and its guests by name, and
// runs each guest with the flags the manifest gives; a folder without one lists its .asm files.
#include "session.h"

#include <QString>
#include <QStringList>
#include <QTreeWidget>
#include <vector>

namespace ringside::desktop {

struct Lesson {
  QString name;           ///< the folder name, e.g. "00-hello", or "07  The VT-x life cycle"
  QStringList guests;     ///< absolute paths of its guests (manifest order, else sorted .asm files)
  QStringList guestNames; ///< what the tree shows for each guest
  std::vector<RunFlags> flags; ///< per guest
};

/// Lessons under `root`, sorted by folder name; folders without a guest are left out.
std::vector<Lesson> findLessons(const QString &root);

class LessonBrowser : public QTreeWidget {
  Q_OBJECT
public:
  explicit LessonBrowser(QWidget *parent = nullptr);
  void setRoot(const QString &root);
  const QString &root() const { return root_; }
  /// The flags a lesson's manifest gives the guest at `path` (defaults for other files).
  RunFlags flagsFor(const QString &path) const;

signals:
  void guestChosen(const QString &path);

private:
  QString root_;
  std::vector<Lesson> lessons_;
};

} // namespace ringside::desktop
