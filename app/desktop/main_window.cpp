#include "main_window.h"

#include "controls/run_pickers.h"
#include "editor/source_editor.h"
#include "kvm_host.h"
#include "language.h"
#include "lesson_browser.h"
#include "lesson_guide.h"
#include "session.h"
#include "view_export.h"
#include "views/compare_view.h"
#include "views/devices_view.h"
#include "views/page_walk_view.h"
#include "views/registers_view.h"
#include "views/rings_view.h"
#include "views/timeline_view.h"
#include "views/transition_text.h"
#include "views/vmcs_view.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QScrollArea>
#include <QSlider>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolBar>
#include <cmath>

namespace ringside::desktop {

namespace {

double speedFor(int slider) {
  if (slider >= 100)
    return Session::kFullSpeed;
  return 0.5 * std::pow(10.0, slider / 99.0 * std::log10(200000.0)); // 0.5 … 100 000 events/s
}

/// The guest as the editor has it: the file itself when unchanged, else a copy beside nothing
/// else in a private folder (same file name, so nasm's messages read the same).
QString guestFileFor(const QString &path, const QString &text, QTemporaryDir &scratch) {
  QFile original(path);
  if (original.open(QIODevice::ReadOnly) && QString::fromUtf8(original.readAll()) == text)
    return path;
  QString copy =
      scratch.filePath(QFileInfo(path).fileName().isEmpty() ? QStringLiteral("guest.asm")
                                                            : QFileInfo(path).fileName());
  QFile out(copy);
  if (out.open(QIODevice::WriteOnly | QIODevice::Truncate))
    out.write(text.toUtf8());
  return copy;
}

} // namespace

MainWindow::MainWindow(const QString &lessonsRoot, QWidget *parent)
    : QMainWindow(parent), session_(new Session(this)), editor_(new SourceEditor(this)),
      lessons_(new LessonBrowser(this)) {
  setObjectName(QStringLiteral("mainWindow"));
  setDockNestingEnabled(true);
  setCentralWidget(editor_);
  lessons_->setRoot(lessonsRoot);
  const auto probe = kvm::probeHost();
  if (!probe.usable())
    kvmReason_ = QString::fromStdString(probe.reason);

  buildActions();
  buildMenus();
  buildToolbar();
  buildDocks();
  statusBar()->addWidget(eventLabel_ = new QLabel(this), 1);
  statusBar()->addPermanentWidget(backendLabel_ = new QLabel(this));
  eventLabel_->setObjectName(QStringLiteral("eventLabel"));

  connect(lessons_, &LessonBrowser::guestChosen, this, [this](const QString &p) { openGuest(p); });
  connect(session_, &Session::cursorChanged, this, &MainWindow::onCursor);
  connect(session_, &Session::runStateChanged, this, &MainWindow::refreshControls);
  connect(session_, &Session::eventsAppended, this, &MainWindow::refreshControls);
  defaultState_ = saveState();
  retranslate();
  restoreSettings();
  refreshControls();
}

MainWindow::~MainWindow() = default;

void MainWindow::buildActions() {
  auto add = [this](const QString &key, const QKeySequence &shortcut, auto slot) {
    auto *a = new QAction(this);
    a->setObjectName(key);
    if (!shortcut.isEmpty())
      a->setShortcut(shortcut);
    connect(a, &QAction::triggered, this, slot);
    addAction(a);
    actions_[key] = a;
    return a;
  };
  add(QStringLiteral("run"), QKeySequence(Qt::Key_F5), [this] { runGuest(); });
  add(QStringLiteral("pause"), QKeySequence(Qt::Key_F6),
      [this] { session_->playing() ? session_->pause() : session_->play(); });
  add(QStringLiteral("stop"), QKeySequence(Qt::SHIFT | Qt::Key_F5), [this] { session_->stop(); });
  add(QStringLiteral("stepBack"), QKeySequence(Qt::Key_Left), [this] { session_->stepBack(); });
  add(QStringLiteral("step"), QKeySequence(Qt::Key_Right), [this] { session_->stepForward(); });
  add(QStringLiteral("stepTrap"), QKeySequence(Qt::Key_Down),
      [this] { session_->stepToNextTrap(); });
  add(QStringLiteral("compare"), QKeySequence(Qt::CTRL | Qt::Key_K), [this] { compareGuest(); });
  add(QStringLiteral("first"), QKeySequence(Qt::Key_Home), [this] { session_->scrubTo(1); });
  add(QStringLiteral("last"), QKeySequence(Qt::Key_End),
      [this] { session_->scrubTo(session_->store().size()); });
  // Space steps too (presenter remote); in the editor it types a space, as it should.
  auto *space = add(QStringLiteral("space"), QKeySequence(Qt::Key_Space),
                    [this] { session_->stepForward(); });
  space->setShortcutContext(Qt::WindowShortcut);
  add(QStringLiteral("open"), QKeySequence::Open, [this] {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open guest"), lessons_->root(),
                                                      tr("nasm source (*.asm)"));
    if (!path.isEmpty())
      openGuest(path);
  });
  add(QStringLiteral("save"), QKeySequence::Save, [this] { saveGuest(); });
  add(QStringLiteral("openTrace"), QKeySequence(), [this] { openTraceFile(); });
  add(QStringLiteral("exportTrace"), QKeySequence(), [this] { exportTraceFile(); });
  add(QStringLiteral("quit"), QKeySequence::Quit, [this] { close(); });
  auto *presenter = add(QStringLiteral("presenter"), QKeySequence(Qt::Key_F11),
                        [this](bool on) { setPresenterMode(on); });
  presenter->setCheckable(true);
  add(QStringLiteral("resetLayout"), QKeySequence(), [this] { restoreState(defaultState_); });
}

void MainWindow::buildMenus() {
  fileMenu_ = menuBar()->addMenu(QString());
  fileMenu_->addAction(actions_[QStringLiteral("open")]);
  fileMenu_->addAction(actions_[QStringLiteral("save")]);
  fileMenu_->addAction(actions_[QStringLiteral("openTrace")]);
  fileMenu_->addSeparator();
  exportMenu_ = fileMenu_->addMenu(QString());
  fileMenu_->addAction(actions_[QStringLiteral("exportTrace")]);
  fileMenu_->addSeparator();
  fileMenu_->addAction(actions_[QStringLiteral("quit")]);

  runMenu_ = menuBar()->addMenu(QString());
  for (const char *k : {"run", "pause", "stop", "stepBack", "step", "stepTrap", "first", "last"})
    runMenu_->addAction(actions_[QString::fromLatin1(k)]);
  runMenu_->addSeparator();
  runMenu_->addAction(actions_[QStringLiteral("compare")]);

  viewMenu_ = menuBar()->addMenu(QString());
  themeMenu_ = viewMenu_->addMenu(QString());
  auto *themes = new QActionGroup(this);
  for (ThemeId id : {ThemeId::Light, ThemeId::Dark}) {
    auto *a = themeMenu_->addAction(QString(), this, [this, id] { setTheme(id); });
    a->setCheckable(true);
    a->setData(Theme::key(id));
    themes->addAction(a);
    actions_[QStringLiteral("theme-") + Theme::key(id)] = a;
  }
  viewMenu_->addAction(actions_[QStringLiteral("presenter")]);
  languageMenu_ = viewMenu_->addMenu(QString());
  auto *languages = new QActionGroup(this);
  for (const char *code : {"en", "zh_CN"}) {
    const QString c = QString::fromLatin1(code);
    auto *a = languageMenu_->addAction(QString(), this, [this, c] { switchLanguage(c); });
    a->setCheckable(true);
    languages->addAction(a);
    actions_[QStringLiteral("lang-") + c] = a;
  }
  viewMenu_->addSeparator();
  viewMenu_->addAction(actions_[QStringLiteral("resetLayout")]);
  viewMenu_->addSeparator();
}

void MainWindow::buildToolbar() {
  auto *bar = addToolBar(QString());
  bar->setObjectName(QStringLiteral("runToolbar"));
  bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
  for (const char *k : {"run", "pause", "stop", "stepBack", "step", "stepTrap"})
    bar->addAction(actions_[QString::fromLatin1(k)]);
  bar->addSeparator();
  bar->addWidget(speedLabel_ = new QLabel(this));
  speed_ = new QSlider(Qt::Horizontal, this);
  speed_->setObjectName(QStringLiteral("speed"));
  speed_->setRange(0, 100);
  speed_->setValue(100);
  speed_->setMaximumWidth(160);
  connect(speed_, &QSlider::valueChanged, this, [this](int v) {
    session_->setSpeed(speedFor(v));
    refreshControls();
  });
  bar->addWidget(speed_);
  bar->addSeparator();
  breakpoint_ = new QLineEdit(this);
  breakpoint_->setObjectName(QStringLiteral("breakpoint"));
  breakpoint_->setClearButtonEnabled(true);
  breakpoint_->setMaximumWidth(220);
  connect(breakpoint_, &QLineEdit::editingFinished, this,
          [this] { setBreakpointText(breakpoint_->text()); });
  bar->addWidget(breakpoint_);
  bar->addSeparator();
  backend_ = new QComboBox(this);
  backend_->setObjectName(QStringLiteral("backend"));
  backend_->addItem(QStringLiteral("emu"), QStringLiteral("emu"));
  backend_->addItem(QStringLiteral("kvm"), QStringLiteral("kvm"));
  if (!kvmReason_.isEmpty()) // the probe says why; the item says it on hover
    if (auto *model = qobject_cast<QStandardItemModel *>(backend_->model()))
      model->item(1)->setEnabled(false);
  bar->addWidget(backend_);
  bar->addWidget(pickers_ = new RunPickers(this));

  auto *scrubBar = new QToolBar(this);
  scrubBar->setObjectName(QStringLiteral("scrubToolbar"));
  addToolBar(Qt::BottomToolBarArea, scrubBar);
  scrub_ = new QSlider(Qt::Horizontal, this);
  scrub_->setObjectName(QStringLiteral("scrub"));
  connect(scrub_, &QSlider::sliderMoved, this,
          [this](int v) { session_->scrubTo(static_cast<std::size_t>(v)); });
  scrubBar->addWidget(scrub_);
  scrubBar->addWidget(positionLabel_ = new QLabel(this));
  positionLabel_->setObjectName(QStringLiteral("position"));
}

void MainWindow::buildDocks() {
  auto dock = [this](QWidget *content, const QString &key, Qt::DockWidgetArea area) {
    auto *d = new QDockWidget(this);
    d->setObjectName(key + QStringLiteral("Dock"));
    d->setWidget(content);
    addDockWidget(area, d);
    viewMenu_->addAction(d->toggleViewAction());
    return d;
  };
  lessonsDock_ = dock(lessons_, QStringLiteral("lessons"), Qt::LeftDockWidgetArea);
  guide_ = new LessonGuide(*session_, this);
  auto *guideScroll = new QScrollArea(this); // long steps and questions scroll, never clip
  guideScroll->setWidgetResizable(true);
  guideScroll->setWidget(guide_);
  guideDock_ = dock(guideScroll, QStringLiteral("guide"), Qt::LeftDockWidgetArea);
  connect(guide_, &LessonGuide::runGuestRequested, this, [this](const QString &path) {
    if (QFileInfo(path).absoluteFilePath() != guestPath_)
      openGuest(path);
    runGuest();
  });
  connect(guide_, &LessonGuide::viewRequested, this, [this](const QString &key) {
    if (auto it = docks_.find(key); it != docks_.end()) {
      it->second->show();
      it->second->raise();
    }
  });
  std::vector<ViewBase *> list = {
      new RingsView(*session_, this),   new TimelineView(*session_, this),
      new VmcsView(*session_, this),    new RegistersView(*session_, this),
      new DevicesView(*session_, this), new PageWalkView(*session_, this),
      new CompareView(*session_, this)};
  for (ViewBase *v : list) {
    views_[v->key()] = v;
    QWidget *content = v;
    if (v->key() == QLatin1String("vmcs")) { // taller than any dock: scrolls
      auto *scroll = new QScrollArea(this);
      scroll->setWidgetResizable(true);
      scroll->setWidget(v);
      content = scroll;
    }
    const Qt::DockWidgetArea area = v->key() == QLatin1String("timeline") ? Qt::BottomDockWidgetArea
                                    : v->key() == QLatin1String("registers")
                                        ? Qt::LeftDockWidgetArea
                                        : Qt::RightDockWidgetArea;
    docks_[v->key()] = dock(content, v->key(), area);
    auto *a = exportMenu_->addAction(QString(), this, [this, v] { exportCurrentView(v); });
    a->setData(v->key());
  }
  // Right: rings (with VMCS and page walk as tabs) over devices; left: lessons over registers.
  splitDockWidget(docks_[QStringLiteral("rings")], docks_[QStringLiteral("devices")], Qt::Vertical);
  tabifyDockWidget(docks_[QStringLiteral("rings")], docks_[QStringLiteral("vmcs")]);
  tabifyDockWidget(docks_[QStringLiteral("vmcs")], docks_[QStringLiteral("pagewalk")]);
  tabifyDockWidget(docks_[QStringLiteral("pagewalk")], docks_[QStringLiteral("compare")]);
  docks_[QStringLiteral("rings")]->raise();
  // Left: the guide is a tab beside the registers, where there is height for its text.
  tabifyDockWidget(docks_[QStringLiteral("registers")], guideDock_);
  docks_[QStringLiteral("registers")]->raise();
}

void MainWindow::applyDefaultSizes() {
  // Proportions of the window: the rings get the most room, the lessons the least.
  resizeDocks({docks_[QStringLiteral("timeline")]}, {height() / 5}, Qt::Vertical);
  resizeDocks({docks_[QStringLiteral("rings")], lessonsDock_}, {width() * 2 / 5, width() / 5},
              Qt::Horizontal);
  resizeDocks({docks_[QStringLiteral("devices")]}, {height() / 4}, Qt::Vertical);
  resizeDocks({lessonsDock_, docks_[QStringLiteral("registers")]}, {height() / 5, height() / 2},
              Qt::Vertical);
}

void MainWindow::showEvent(QShowEvent *event) {
  QMainWindow::showEvent(event);
  if (!shownOnce_) {
    shownOnce_ = true;
    if (!restoredLayout_)
      QTimer::singleShot(0, this, [this] {
        applyDefaultSizes();
        defaultState_ = saveState();
      });
  }
}

void MainWindow::retranslate() {
  setWindowTitle(guestPath_.isEmpty() ? tr("Ringside")
                                      : tr("Ringside — %1").arg(QFileInfo(guestPath_).fileName()));
  auto text = [this](const char *key, const QString &label, const QString &tip = {}) {
    auto *a = actions_[QString::fromLatin1(key)];
    a->setText(label);
    a->setToolTip(tip.isEmpty() ? label : tip);
  };
  text("run", tr("Run"), tr("Assemble the editor's guest and run it (F5)"));
  text("pause", tr("Pause"), tr("Pause or resume playback (F6)"));
  text("stop", tr("Stop"), tr("Stop the guest (Shift+F5)"));
  text("stepBack", tr("Step back"), tr("Show the previous event (←)"));
  text("step", tr("Step"), tr("Show the next event (→ or Space)"));
  text("stepTrap", tr("Next trap"),
       tr("Show the next exit, exception, ring change or page walk (↓)"));
  text("compare", tr("Compare techniques"),
       tr("Run the editor's guest under every technique built and compare (Ctrl+K)"));
  text("first", tr("First event"));
  text("last", tr("Last event"));
  text("space", tr("Step"));
  text("open", tr("Open guest…"));
  text("save", tr("Save guest"));
  text("openTrace", tr("Open trace (.jsonl)…"));
  text("exportTrace", tr("Export trace as JSONL…"));
  text("quit", tr("Quit"));
  text("presenter", tr("Presenter mode"),
       tr("Large type, high contrast, no editor; Space/→ step, ← back (F11)"));
  text("resetLayout", tr("Reset panel layout"));
  actions_[QStringLiteral("theme-light")]->setText(tr("Light"));
  actions_[QStringLiteral("theme-dark")]->setText(tr("Dark"));
  actions_[QStringLiteral("lang-en")]->setText(QStringLiteral("English"));
  actions_[QStringLiteral("lang-zh_CN")]->setText(QStringLiteral("简体中文"));
  fileMenu_->setTitle(tr("&File"));
  runMenu_->setTitle(tr("&Run"));
  viewMenu_->setTitle(tr("&View"));
  themeMenu_->setTitle(tr("Theme"));
  languageMenu_->setTitle(tr("Language"));
  exportMenu_->setTitle(tr("Export view"));
  for (QAction *a : exportMenu_->actions())
    a->setText(tr("%1 as PNG or SVG…").arg(views_[a->data().toString()]->title()));
  lessonsDock_->setWindowTitle(tr("Lessons"));
  guideDock_->setWindowTitle(tr("Guide"));
  guide_->retranslate();
  lessons_->setToolTip(tr("What am I looking at: the lessons (folders under lessons/) and their "
                          "guests. Double-click a guest to open it."));
  editor_->setToolTip(QString());
  for (auto &[key, v] : views_) {
    docks_[key]->setWindowTitle(v->title());
    v->setToolTip(v->helpText());
  }
  backend_->setToolTip(tr("Where the guest runs: emu (emulated CPU, modelled VT-x) or kvm"));
  breakpoint_->setPlaceholderText(tr("Break at… (rip:0x7c0d, exit:HLT, ring)"));
  breakpoint_->setToolTip(tr("Playback stops at the first matching event: rip:ADDRESS, "
                             "exit:REASON (e.g. IO_INSTRUCTION), exception:#PF, or ring (any "
                             "privilege change)"));
  if (!kvmReason_.isEmpty())
    backend_->setItemData(1, tr("KVM is not usable here: %1").arg(kvmReason_), Qt::ToolTipRole);
  pickers_->retranslate();
  refreshControls();
}

void MainWindow::changeEvent(QEvent *event) {
  if (event->type() == QEvent::LanguageChange)
    retranslate();
  QMainWindow::changeEvent(event);
}

bool MainWindow::runGuest() {
  if (guestPath_.isEmpty()) {
    editor_->setProblem(0, tr("Open a guest first (a lesson on the left)"));
    return false;
  }
  QTemporaryDir scratch;
  const QString file = guestFileFor(guestPath_, editor_->toPlainText(), scratch);
  const QString backend = backend_->currentData().toString();
  const auto problem =
      session_->start(file, backend, pickers_->apply(lessons_->flagsFor(guestPath_)));
  if (problem) {
    QString message = problem->message;
    message.replace(scratch.path() + QLatin1Char('/'), QString());
    if (problem->line == 0 && backend != QLatin1String("emu")) {
      // The backend failed, not the guest: offer the emulator by selecting it.
      message = tr("%1 — the emulator (emu) is selected; press Run to use it").arg(message);
      setBackendChoice(QStringLiteral("emu"));
    }
    editor_->setCurrentLine(0); // the lit line belonged to the last run, not this text
    editor_->setProblem(problem->line, message);
    return false;
  }
  editor_->setProblem(0, {});
  session_->play();
  return true;
}

bool MainWindow::compareGuest() {
  if (guestPath_.isEmpty()) {
    editor_->setProblem(0, tr("Open a guest first (a lesson on the left)"));
    return false;
  }
  QTemporaryDir scratch; // the image is assembled before compare() returns
  auto *compare = static_cast<CompareView *>(views_[QStringLiteral("compare")]);
  QString error = compare->compare(guestFileFor(guestPath_, editor_->toPlainText(), scratch),
                                   lessons_->flagsFor(guestPath_).profile);
  docks_[QStringLiteral("compare")]->show();
  docks_[QStringLiteral("compare")]->raise();
  if (!error.isEmpty()) {
    error.replace(scratch.path() + QLatin1Char('/'), QString());
    editor_->setProblem(0, error);
    return false;
  }
  return true;
}

void MainWindow::refreshControls() {
  if (!speed_)
    return;
  const bool running = session_->running();
  const std::size_t total = session_->store().size();
  actions_[QStringLiteral("stop")]->setEnabled(running);
  actions_[QStringLiteral("pause")]->setText(session_->playing() ? tr("Pause") : tr("Play"));
  actions_[QStringLiteral("stepBack")]->setEnabled(session_->cursor() > 1);
  actions_[QStringLiteral("step")]->setEnabled(session_->cursor() < total);
  const double speed = speedFor(speed_->value());
  speedLabel_->setText(speed == Session::kFullSpeed
                           ? tr("Speed: full")
                           : tr("Speed: %1 events/s")
                                 .arg(speed < 10 ? QString::number(speed, 'f', 1)
                                                 : QString::number(std::round(speed))));
  scrub_->setRange(total ? 1 : 0, static_cast<int>(total));
  scrub_->setValue(static_cast<int>(session_->cursor()));
  positionLabel_->setText(tr("event %1 / %2%3")
                              .arg(session_->cursor())
                              .arg(total)
                              .arg(running ? tr(" · running") : QString()));
  QString where = session_->backendName().isEmpty()
                      ? QString()
                      : tr("backend %1: %2")
                            .arg(session_->backendName(),
                                 QString::fromStdString(session_->capabilities().description));
  if (!session_->statusMessage().isEmpty())
    where = session_->statusMessage();
  if (session_->stoppedAtBreakpoint())
    where = tr("stopped at the breakpoint · ") + where;
  backendLabel_->setText(where);
}

void MainWindow::onCursor() {
  const Event *e = session_->currentEvent();
  eventLabel_->setText(e ? eventSummary(*e) : QString());
  const auto &s = session_->state();
  const bool sameFile = QFileInfo(session_->label()).fileName() == QFileInfo(guestPath_).fileName();
  editor_->setCurrentLine(s.ripKnown && sameFile ? session_->sourceMap().lineOf(s.rip) : 0);
  refreshControls();
}

void MainWindow::setTheme(ThemeId id) {
  theme_ = id;
  Theme::apply(id, *qApp);
  editor_->restyle();
  actions_[QStringLiteral("theme-") +
           Theme::key(id == ThemeId::Presenter ? themeBeforePresenter_ : id)]
      ->setChecked(true);
  for (auto &[key, v] : views_)
    v->update();
  // Tool buttons and tab bars keep the size hint of the old font: once the font change has
  // reached them, make them measure again.
  QTimer::singleShot(0, this, [this] {
    for (QWidget *w : findChildren<QWidget *>())
      if (w != editor_ && !editor_->isAncestorOf(w))
        w->setFont(QApplication::font());
    for (QToolBar *bar : findChildren<QToolBar *>()) {
      bar->setToolButtonStyle(Qt::ToolButtonIconOnly);
      bar->setToolButtonStyle(Qt::ToolButtonTextOnly);
      if (bar->isVisible()) { // re-enters the main window's layout at its new size
        bar->hide();
        bar->show();
      }
    }
  });
  refreshControls();
}

void MainWindow::setPresenterMode(bool on) {
  if (on == presenter_)
    return;
  presenter_ = on;
  actions_[QStringLiteral("presenter")]->setChecked(on);
  if (on) {
    themeBeforePresenter_ = theme_;
    layoutBeforePresenter_ = saveState();
    setTheme(ThemeId::Presenter);
  } else {
    setTheme(themeBeforePresenter_);
  }
  // The editor and lesson list make room for the views; the keyboard drives the lesson.
  editor_->setVisible(!on);
  lessonsDock_->setVisible(!on);
  guideDock_->setVisible(!on);
  docks_[QStringLiteral("registers")]->setVisible(!on);
  if (!on) // with the editor back in place, so the docks get their old sizes
    restoreState(layoutBeforePresenter_);
  if (on) { // the rings get the height: devices become a tab beside them
    tabifyDockWidget(docks_[QStringLiteral("rings")], docks_[QStringLiteral("devices")]);
    docks_[QStringLiteral("rings")]->raise();
  }
  if (on)
    setFocus();
}

void MainWindow::switchLanguage(const QString &code) {
  setLanguage(code);
  actions_[QStringLiteral("lang-") + currentLanguage()]->setChecked(true);
  lessons_->setRoot(lessons_->root()); // lesson titles in the new language
  retranslate();                       // at once, not when the posted LanguageChange arrives
}

void MainWindow::setBackendChoice(const QString &name) {
  const int i = backend_->findData(name);
  if (i >= 0 && (name != QLatin1String("kvm") || kvmReason_.isEmpty()))
    backend_->setCurrentIndex(i);
}

void MainWindow::setSpeedSlider(int value) { speed_->setValue(value); }

bool MainWindow::setBreakpointText(const QString &text) {
  breakpoint_->setText(text);
  std::string error;
  const auto breakpoint = parseBreakpoint(text.toStdString(), error);
  session_->setBreakpoint(breakpoint);
  breakpoint_->setStyleSheet(error.empty() ? QString()
                                           : QStringLiteral("QLineEdit { border: 2px solid %1; }")
                                                 .arg(Theme::current().error.name()));
  if (!error.empty())
    statusBar()->showMessage(tr("breakpoint: %1").arg(QString::fromStdString(error)), 8000);
  return error.empty();
}

ViewBase *MainWindow::view(const QString &key) const {
  const auto it = views_.find(key);
  return it == views_.end() ? nullptr : it->second;
}

void MainWindow::closeEvent(QCloseEvent *event) {
  if (presenter_)
    setPresenterMode(false); // save the normal layout, not the presenter one
  saveSettings();
  session_->stop();
  QMainWindow::closeEvent(event);
}

} // namespace ringside::desktop
