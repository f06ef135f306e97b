#include "lesson_browser.h"

#include <QDir>
#include <QFileInfo>

namespace ringside::desktop {

std::vector<Lesson> findLessons(const QString &root) {
  std::vector<Lesson> lessons;
  const QDir dir(root);
  for (const QString &name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
    Lesson lesson{name, {}};
    const QDir folder(dir.filePath(name));
    for (const QString &file : folder.entryList({QStringLiteral("*.asm")}, QDir::Files, QDir::Name))
      lesson.guests << QFileInfo(folder.filePath(file)).absoluteFilePath();
    if (!lesson.guests.isEmpty())
      lessons.push_back(lesson);
  }
  return lessons;
}

LessonBrowser::LessonBrowser(QWidget *parent) : QTreeWidget(parent) {
  setObjectName(QStringLiteral("lessons"));
  setHeaderHidden(true);
  connect(this, &QTreeWidget::itemActivated, this, [this](QTreeWidgetItem *item) {
    const QString path = item->data(0, Qt::UserRole).toString();
    if (!path.isEmpty())
      emit guestChosen(path);
  });
}

void LessonBrowser::setRoot(const QString &root) {
  root_ = root;
  clear();
  for (const Lesson &lesson : findLessons(root)) {
    auto *top = new QTreeWidgetItem(this, {lesson.name});
    for (const QString &guest : lesson.guests) {
      auto *item = new QTreeWidgetItem(top, {QFileInfo(guest).fileName()});
      item->setData(0, Qt::UserRole, guest);
      item->setToolTip(0, guest);
    }
    top->setExpanded(true);
  }
}

} // namespace ringside::desktop
