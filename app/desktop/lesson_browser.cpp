#include "lesson_browser.h"

#include "errors.h"
#include "language.h"
#include "lessons/lesson.h"

#include <QDir>
#include <QFileInfo>

namespace ringside::desktop {

std::vector<Lesson> findLessons(const QString &root) {
  std::vector<Lesson> lessons;
  const QDir dir(root);
  for (const QString &name : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
    Lesson lesson{name, {}, {}, {}};
    const QDir folder(dir.filePath(name));
    if (folder.exists(QStringLiteral("lesson.toml"))) {
      try {
        const auto manifest = lessons::loadLesson(folder.absolutePath().toStdString());
        const auto &title = manifest.title.in(currentLanguage().toStdString());
        lesson.name = QStringLiteral("%1  %2")
                          .arg(manifest.id, 2, 10, QLatin1Char('0'))
                          .arg(QString::fromStdString(title));
        for (const auto &g : manifest.guests) {
          if (g.backend == "container")
            continue; // a real container, not a guest: `ringside container` runs it
          lesson.guests << QString::fromStdString(g.file);
          lesson.guestNames << QString::fromStdString(g.name);
          RunFlags flags;
          flags.virt = g.virt;
          flags.profile = g.profile;
          flags.vmxSet = g.vmxSet;
          lesson.flags.push_back(std::move(flags));
        }
        lessons.push_back(lesson);
        continue;
      } catch (const InputError &) {
        // A broken manifest still lists its guests (`ringside lessons --check` says why).
      }
    }
    for (const QString &file :
         folder.entryList({QStringLiteral("*.asm")}, QDir::Files, QDir::Name)) {
      lesson.guests << QFileInfo(folder.filePath(file)).absoluteFilePath();
      lesson.guestNames << file;
      lesson.flags.emplace_back();
    }
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
  lessons_ = findLessons(root);
  for (const Lesson &lesson : lessons_) {
    auto *top = new QTreeWidgetItem(this, {lesson.name});
    for (qsizetype i = 0; i < lesson.guests.size(); ++i) {
      const QString &guest = lesson.guests[i];
      auto *item = new QTreeWidgetItem(top, {lesson.guestNames[i]});
      item->setData(0, Qt::UserRole, guest);
      const RunFlags &f = lesson.flags[static_cast<size_t>(i)];
      QString tip = guest + QStringLiteral("\n--virt ") + QString::fromStdString(f.virt);
      if (!f.profile.empty())
        tip += QStringLiteral(" --vmx-profile ") + QString::fromStdString(f.profile);
      for (const auto &set : f.vmxSet)
        tip += QStringLiteral(" --vmx-set ") + QString::fromStdString(set);
      item->setToolTip(0, tip);
    }
    top->setExpanded(true);
  }
}

RunFlags LessonBrowser::flagsFor(const QString &path) const {
  for (const Lesson &lesson : lessons_)
    for (qsizetype i = 0; i < lesson.guests.size(); ++i)
      if (lesson.guests[i] == path)
        return lesson.flags[static_cast<size_t>(i)];
  return {};
}

} // namespace ringside::desktop
