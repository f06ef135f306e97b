#pragma once
// The main window: editor in the middle, lessons and views in dockable panels, run controls
// in the toolbar. It owns the session and wires the controls to it; drawing is the views' job.
#include "theme.h"

#include <QMainWindow>
#include <QString>
#include <map>

class QAction;
class QComboBox;
class QDockWidget;
class QLabel;
class QLineEdit;
class QSlider;
class QMenu;

namespace ringside::desktop {

class DevicesView;
class LessonBrowser;
class LessonGuide;
class RingsView;
class RunPickers;
class Session;
class SourceEditor;
class TimelineView;
class ViewBase;
class VmcsView;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  /// `lessonsRoot`: the lessons/ folder the browser lists.
  explicit MainWindow(const QString &lessonsRoot, QWidget *parent = nullptr);
  ~MainWindow() override;

  /// Opens a guest source (or a lesson folder: its first guest) in the editor.
  bool openGuest(const QString &path);
  /// Assembles the editor's text and runs it on the chosen backend.
  bool runGuest();
  /// Runs the editor's guest under every built technique into the Compare view (a worker
  /// thread); false with the problem shown in the editor.
  bool compareGuest();
  void setTheme(ThemeId id);
  void setPresenterMode(bool on);
  void switchLanguage(const QString &code);
  void setBackendChoice(const QString &name);
  void setSpeedSlider(int value); ///< 0..100, 100 = full speed
  /// Sets the breakpoint from its text (see core/breakpoint.h); false with the error shown.
  bool setBreakpointText(const QString &text);

  Session &session() { return *session_; }
  RunPickers &pickers() { return *pickers_; }
  LessonGuide &guide() { return *guide_; }
  SourceEditor &editor() { return *editor_; }
  ViewBase *view(const QString &key) const;
  const std::map<QString, ViewBase *> &views() const { return views_; }
  const QString &guestPath() const { return guestPath_; }

protected:
  void closeEvent(QCloseEvent *event) override;
  void changeEvent(QEvent *event) override;
  void showEvent(QShowEvent *event) override;

private:
  void buildActions();
  void buildMenus();
  void buildToolbar();
  void buildDocks();
  void applyDefaultSizes();
  void retranslate();
  void restoreSettings();
  void saveSettings();
  void refreshControls();
  void onCursor();
  void exportCurrentView(ViewBase *view);
  void exportTraceFile();
  void openTraceFile();
  void saveGuest();

  Session *session_;
  SourceEditor *editor_;
  LessonBrowser *lessons_;
  std::map<QString, ViewBase *> views_;
  std::map<QString, QDockWidget *> docks_;
  QDockWidget *lessonsDock_ = nullptr, *guideDock_ = nullptr;
  LessonGuide *guide_ = nullptr;
  QComboBox *backend_ = nullptr;
  RunPickers *pickers_ = nullptr;
  QLineEdit *breakpoint_ = nullptr;
  QSlider *speed_ = nullptr, *scrub_ = nullptr;
  QLabel *speedLabel_ = nullptr, *positionLabel_ = nullptr, *eventLabel_ = nullptr;
  QLabel *backendLabel_ = nullptr;
  QMenu *fileMenu_ = nullptr, *viewMenu_ = nullptr, *runMenu_ = nullptr, *exportMenu_ = nullptr;
  QMenu *themeMenu_ = nullptr, *languageMenu_ = nullptr;
  std::map<QString, QAction *> actions_;
  QString guestPath_, kvmReason_;
  ThemeId theme_ = ThemeId::Light, themeBeforePresenter_ = ThemeId::Light;
  bool presenter_ = false, shownOnce_ = false, restoredLayout_ = false;
  QByteArray defaultState_, layoutBeforePresenter_;
};

} // namespace ringside::desktop
