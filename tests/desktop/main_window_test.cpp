// The main window under a real display (xvfb-run): run lessons/00-hello on emu, step, step
// back, and check what the views show; errors in the editor; languages, presenter mode,
// export, settings; a flooding guest leaves the UI responsive and stoppable.
#include "editor/source_editor.h"
#include "kvm_host.h"
#include "language.h"
#include "main_window.h"
#include "screenshot_tour.h"
#include "session.h"
#include "trace/trace_json.h"
#include "view_export.h"
#include "views/devices_view.h"
#include "views/rings_view.h"
#include "views/timeline_view.h"
#include "views/vmcs_view.h"

#include <QAction>
#include <QComboBox>
#include <QDockWidget>
#include <QElapsedTimer>
#include <QFile>
#include <QSettings>
#include <QSlider>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>

using namespace ringside;
using namespace ringside::desktop;

namespace {

const QString kLessons = QStringLiteral(RINGSIDE_SOURCE_DIR "/lessons");
const QString kHello = kLessons + QStringLiteral("/00-hello");

std::size_t firstIndexOf(const Session &s, std::size_t kindIndex) {
  for (std::size_t i = 0; i < s.store().size(); ++i)
    if (s.store().at(i).body.index() == kindIndex)
      return i;
  return s.store().size();
}

} // namespace

class MainWindowTest : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true); // settings go to a test location
    QSettings().clear();
  }

  void helloRunsOnEmuAndTheViewsShowItsEvents() {
    MainWindow w(kLessons);
    w.show();
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w)); // shortcuts need the active window
    QVERIFY(w.openGuest(kHello));
    w.setBackendChoice(QStringLiteral("emu"));
    QVERIFY(w.runGuest());
    QVERIFY(waitForRunToFinish(w, 30000));
    Session &s = w.session();
    QCOMPARE(s.backendName(), QStringLiteral("emu"));
    const auto &last = s.store().at(s.store().size() - 1);
    QVERIFY(std::holds_alternative<StopEvent>(last.body));
    QCOMPARE(std::get<StopEvent>(last.body).kind, StopKind::Hlt);

    auto *devices = qobject_cast<DevicesView *>(w.view(QStringLiteral("devices")));
    QVERIFY(devices);
    QCOMPARE(devices->consoleText(), QStringLiteral("Hello from a guest in ring 0!\n"));
    QVERIFY(devices->vgaRow(0).startsWith(QStringLiteral("Hi ")));
    QCOMPARE(s.state().exits, 31u); // 30 OUTs and the HLT
    QVERIFY(s.state().cplKnown);
    QCOMPARE(int(s.state().cpl), 0);
    QVERIFY(s.state().vmcsSeen);
    auto *vmcs = qobject_cast<VmcsView *>(w.view(QStringLiteral("vmcs")));
    QVERIFY(vmcs->changedFieldCount() > 0);

    // Step back: one event earlier, and the views follow.
    const std::size_t end = s.cursor();
    QTest::keyClick(&w, Qt::Key_Left);
    QCOMPARE(s.cursor(), end - 1);
    w.findChild<QAction *>(QStringLiteral("step"))->trigger();
    QCOMPARE(s.cursor(), end);

    // Scrub to the first console event: one character so far, no VGA yet.
    const std::size_t firstConsole = firstIndexOf(s, 9 /* ConsoleEvent */);
    QVERIFY(firstConsole < s.store().size());
    s.scrubTo(firstConsole + 1);
    QCOMPARE(devices->consoleText(), QStringLiteral("H"));
    QVERIFY(!s.state().vgaWritten);
    QCOMPARE(s.state().exits, 1u);
    // The editor lights the OUT the IO exit named.
    QCOMPARE(w.editor().currentLine(), 17);
    QVERIFY(
        w.editor().document()->findBlockByNumber(16).text().contains(QStringLiteral("out 0xE9")));
    // Back to the very start: nothing written.
    s.scrubTo(1);
    QCOMPARE(devices->consoleText(), QString());
    QCOMPARE(s.state().exits, 0u);
    // Next trap from the start: an exit, exception, walk or ring event.
    s.stepToNextTrap();
    const auto &trap = s.currentEvent()->body;
    QVERIFY(std::holds_alternative<ExitEvent>(trap) || std::holds_alternative<RingEvent>(trap) ||
            std::holds_alternative<ExceptionEvent>(trap) ||
            std::holds_alternative<WalkEvent>(trap));

    // A click on the timeline jumps there.
    auto *timeline = qobject_cast<TimelineView *>(w.view(QStringLiteral("timeline")));
    w.findChild<QDockWidget *>(QStringLiteral("timelineDock"))->raise();
    QTest::qWait(50);
    const int x = timeline->width() * 3 / 4;
    const long long under = timeline->eventAt(x);
    QVERIFY(under >= 0);
    QTest::mouseClick(timeline, Qt::LeftButton, {}, QPoint(x, timeline->height() / 2));
    QCOMPARE(s.cursor(), std::size_t(under) + 1);
  }

  void playbackFollowsTheSpeedAndStopsAtBreakpoints() {
    MainWindow w(kLessons);
    QVERIFY(w.openGuest(kHello));
    QVERIFY(w.runGuest());
    QVERIFY(waitForRunToFinish(w, 30000));
    Session &s = w.session();
    // A slow speed: the cursor moves a few events, not to the end.
    s.scrubTo(1);
    s.setSpeed(20);
    QElapsedTimer played;
    played.start();
    s.play();
    QTest::qWait(500);
    s.pause();
    const double seconds = played.elapsed() / 1000.0; // more than 0.5 on a busy machine
    QVERIFY2(s.cursor() > 2 && s.cursor() <= 1 + 20 * seconds + 2,
             qPrintable(QStringLiteral("cursor %1 after %2 s").arg(s.cursor()).arg(seconds)));
    // Full speed with a breakpoint on the HLT exit: playback stops there.
    QVERIFY(w.setBreakpointText(QStringLiteral("exit:HLT")));
    s.scrubTo(1);
    s.setSpeed(Session::kFullSpeed);
    s.play();
    QTRY_VERIFY(!s.playing());
    QVERIFY(s.stoppedAtBreakpoint());
    const auto *exit = std::get_if<ExitEvent>(&s.currentEvent()->body);
    QVERIFY(exit);
    QCOMPARE(exit->reason, uint16_t(12)); // HLT
    // An address: the first event naming the OUT's RIP.
    QVERIFY(w.setBreakpointText(QStringLiteral("rip:0x7c0d")));
    s.scrubTo(1);
    s.play();
    QTRY_VERIFY(!s.playing());
    QCOMPARE(w.editor().currentLine(), 17);
    QVERIFY(!w.setBreakpointText(QStringLiteral("exit:NOT_A_REASON")));
    QVERIFY(w.setBreakpointText(QString()));
  }

  void helloRunsOnKvmWhereUsable() {
    const auto probe = kvm::probeHost();
    if (!probe.usable())
      QSKIP(qPrintable(QStringLiteral("KVM is not usable here: ") +
                       QString::fromStdString(probe.reason)));
    MainWindow w(kLessons);
    QVERIFY(w.openGuest(kHello));
    w.setBackendChoice(QStringLiteral("kvm"));
    QVERIFY(w.runGuest());
    QVERIFY(waitForRunToFinish(w, 30000));
    QCOMPARE(w.session().backendName(), QStringLiteral("kvm"));
    auto *devices = qobject_cast<DevicesView *>(w.view(QStringLiteral("devices")));
    QCOMPARE(devices->consoleText(), QStringLiteral("Hello from a guest in ring 0!\n"));
    const auto &last = w.session().store().at(w.session().store().size() - 1);
    QCOMPARE(std::get<StopEvent>(last.body).kind, StopKind::Hlt);
    w.session().stepBack();
    QCOMPARE(w.session().cursor(), w.session().store().size() - 1);
    w.setBackendChoice(QStringLiteral("emu"));
  }

  void assemblyErrorsShowAtTheirLine() {
    MainWindow w(kLessons);
    w.show();
    QVERIFY(w.openGuest(kHello));
    QString text = w.editor().toPlainText();
    text.replace(QStringLiteral("xor ax, ax"), QStringLiteral("xor ax, nonsense_register"));
    w.editor().setPlainText(text);
    QVERIFY(!w.runGuest());
    QCOMPARE(w.editor().problemLine(), 10);
    QVERIFY2(w.editor().problemMessage().contains(QStringLiteral("error")),
             qPrintable(w.editor().problemMessage()));
  }

  void kvmChoiceFollowsTheHostProbe() {
    MainWindow w(kLessons);
    auto *combo = w.findChild<QComboBox *>(QStringLiteral("backend"));
    QVERIFY(combo);
    auto *model = qobject_cast<QStandardItemModel *>(combo->model());
    const auto probe = kvm::probeHost();
    QCOMPARE(model->item(1)->isEnabled(), probe.usable());
    if (!probe.usable())
      QVERIFY(combo->itemData(1, Qt::ToolTipRole)
                  .toString()
                  .contains(QString::fromStdString(probe.reason)));
  }

  void languagesSwitchWhileRunning() {
    MainWindow w(kLessons);
    auto *run = w.findChild<QAction *>(QStringLiteral("run"));
    w.switchLanguage(QStringLiteral("zh_CN"));
    QCOMPARE(currentLanguage(), QStringLiteral("zh_CN"));
    QCOMPARE(run->text(), QStringLiteral("运行"));
    QCOMPARE(w.view(QStringLiteral("rings"))->title(), QStringLiteral("特权环"));
    w.switchLanguage(QStringLiteral("en"));
    QCOMPARE(run->text(), QStringLiteral("Run"));
    QCOMPARE(w.view(QStringLiteral("rings"))->title(), QStringLiteral("Rings"));
  }

  void presenterModeIsKeyboardDriven() {
    MainWindow w(kLessons);
    w.show();
    w.activateWindow();
    QVERIFY(QTest::qWaitForWindowActive(&w));
    QVERIFY(w.openGuest(kHello));
    QVERIFY(w.runGuest());
    QVERIFY(waitForRunToFinish(w, 30000));
    w.setPresenterMode(true);
    QVERIFY(!w.editor().isVisible());
    QVERIFY(Theme::current().fontScale > 1.4);
    Session &s = w.session();
    s.scrubTo(5);
    w.activateWindow();
    w.setFocus();
    QTest::keyClick(&w, Qt::Key_Space);
    QCOMPARE(s.cursor(), 6u);
    QTest::keyClick(&w, Qt::Key_Left);
    QCOMPARE(s.cursor(), 5u);
    w.setPresenterMode(false);
    QVERIFY(w.editor().isVisible());
    QCOMPARE(Theme::current().fontScale, 1.0);
  }

  void exportsViewsAndTheTrace() {
    MainWindow w(kLessons);
    QVERIFY(w.openGuest(kHello));
    QVERIFY(w.runGuest());
    QVERIFY(waitForRunToFinish(w, 30000));
    QTemporaryDir dir;
    for (const auto &[key, view] : w.views()) {
      view->resize(640, 400);
      for (const char *ext : {".png", ".svg"}) {
        const QString path = dir.filePath(key + QString::fromLatin1(ext));
        QCOMPARE(exportView(*view, path), QString());
        QVERIFY2(QFileInfo(path).size() > 500, qPrintable(path));
      }
    }
    const QString trace = dir.filePath(QStringLiteral("trace.jsonl"));
    QCOMPARE(exportTrace(w.session().store(), trace), QString());
    const auto back = readJsonl(trace.toStdString());
    QCOMPARE(back.size(), w.session().store().size());
    QCOMPARE(toJsonLine(back.back()), toJsonLine(w.session().store().events().back()));
  }

  void settingsPersist() {
    {
      MainWindow w(kLessons);
      w.setTheme(ThemeId::Dark);
      w.setSpeedSlider(40);
      w.close();
    }
    MainWindow again(kLessons);
    QCOMPARE(Theme::current().id, ThemeId::Dark);
    QCOMPARE(again.findChild<QSlider *>(QStringLiteral("speed"))->value(), 40);
    again.setTheme(ThemeId::Light);
    again.setSpeedSlider(100);
    again.close();
  }

  void aFloodingGuestStaysResponsiveAndStops() {
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("flood.asm"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("bits 16\norg 0x7C00\nmov al, 'x'\nagain: out 0xE9, al\njmp again\n");
    f.close();
    MainWindow w(kLessons);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QTest::qWait(200); // first paint and font loading are not what this measures
    QVERIFY(w.openGuest(path));
    QVERIFY(w.runGuest());
    Session &s = w.session();
    // For a second, the event loop keeps turning. A UI that waited for the guest would stall
    // for the whole run; 1 s leaves room for a busy machine's scheduling.
    QElapsedTimer clock, turn;
    clock.start();
    turn.start();
    qint64 worstGap = 0;
    while (clock.elapsed() < 1000) {
      QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
      worstGap = std::max(worstGap, turn.restart());
    }
    QVERIFY2(worstGap < 1000, qPrintable(QStringLiteral("worst gap %1 ms").arg(worstGap)));
    QVERIFY(s.running());
    QVERIFY(s.store().size() > 1000);
    s.stop();
    QElapsedTimer stopping;
    stopping.start();
    while (s.running() && stopping.elapsed() < 5000)
      QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
    QVERIFY(!s.running());
    const auto &last = s.store().at(s.store().size() - 1);
    QVERIFY(std::holds_alternative<StopEvent>(last.body));
  }
};

QTEST_MAIN(MainWindowTest)
#include "main_window_test.moc"
