// The newer parts of the main window under a real display (xvfb-run): the technique and MMU
// pickers reach the run, the page-walk view's 2-D grid on a recorded EPT walk, the Compare view,
// nesting and the VMCS region selector on lesson 07's tiny VMM, and the lesson guide's steps
// and checkpoints checked against real runs.
#include "controls/run_pickers.h"
#include "lesson_guide.h"
#include "main_window.h"
#include "screenshot_tour.h"
#include "session.h"
#include "trace/trace_json.h"
#include "view_export.h"
#include "views/compare_view.h"
#include "views/page_walk_view.h"
#include "views/vmcs_view.h"
#include "vmm/technique.h"
#include "vmm/technique_compare.h"

#include <QComboBox>
#include <QDockWidget>
#include <QSettings>
#include <QStandardItemModel>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace ringside;
using namespace ringside::desktop;

namespace {
const QString kSource = QStringLiteral(RINGSIDE_SOURCE_DIR);
const QString kLessons = kSource + QStringLiteral("/lessons");
const QString kHello = kLessons + QStringLiteral("/00-hello/hello.asm");
const QString kTinyVmm = kLessons + QStringLiteral("/07-vtx-lifecycle/tiny_vmm.asm");
} // namespace

class ViewsGuiTest : public QObject {
  Q_OBJECT

private Q_SLOTS:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QSettings().clear();
  }

  void pickersComeFromTheTablesAndReachTheRun() {
    MainWindow w(kLessons);
    auto *technique = w.findChild<QComboBox *>(QStringLiteral("technique"));
    auto *mmu = w.findChild<QComboBox *>(QStringLiteral("mmu"));
    QVERIFY(technique && mmu);
    QCOMPARE(technique->count(), static_cast<int>(techniques().size()));
    auto *model = qobject_cast<QStandardItemModel *>(technique->model());
    for (const auto &t : techniques()) { // unbuilt ones are there, disabled, saying why
      const int i = technique->findData(QString::fromUtf8(t.name.data(), t.name.size()));
      QVERIFY(i >= 0);
      QCOMPARE(model->item(i)->isEnabled(), t.built);
      QCOMPARE(w.pickers().setTechnique(technique->itemData(i).toString()), t.built);
      if (!t.built)
        QVERIFY(technique->itemData(i, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("not built")));
    }
    QCOMPARE(mmu->count(), 3);

    QVERIFY(w.openGuest(kHello));
    QCOMPARE(w.pickers().technique(), QStringLiteral("vtx")); // the lesson's --virt
    QVERIFY(w.pickers().setTechnique(QStringLiteral("native")));
    QVERIFY(w.pickers().setMmu(QStringLiteral("shadow")));
    QVERIFY(w.runGuest());
    QVERIFY(waitForRunToFinish(w, 30000));
    QVERIFY(w.session().runFlags().virt == "native");
    QVERIFY(w.session().runFlags().mmu == "shadow");
    QVERIFY(w.session().runFlags().profile == "kvm-like"); // still the lesson's
    // Native: nothing intercepts the guest, so its 30 OUTs and HLT make no VM exit.
    QCOMPARE(w.session().state().exits, 0u);
    QVERIFY(w.pickers().setTechnique(QStringLiteral("vtx")));
    QVERIFY(w.runGuest());
    QVERIFY(waitForRunToFinish(w, 30000));
    QCOMPARE(w.session().state().exits, 31u);
  }

  void pageWalkGridLightsA24ReferenceColdWalk() {
    MainWindow w(kLessons);
    w.resize(1400, 900);
    w.show();
    w.session().loadRecording(
        readJsonl(
            (kSource + QStringLiteral("/tests/desktop/data/walk_2d_cold.jsonl")).toStdString()),
        QStringLiteral("walk_2d_cold.jsonl"));
    w.findChild<QDockWidget *>(QStringLiteral("pagewalkDock"))->raise();
    auto *view = qobject_cast<PageWalkView *>(w.view(QStringLiteral("pagewalk")));
    w.session().scrubTo(3); // three EPT walks: a partial grid, nothing animating
    QVERIFY(view->grid());
    QVERIFY(!view->grid()->guestSeen);
    QCOMPARE(view->litReferences(), 12);
    w.session().scrubTo(w.session().store().size());
    QVERIFY(view->grid());
    QCOMPARE(view->grid()->references, 24);
    QCOMPARE(view->grid()->rows, 5);
    QCOMPARE(view->grid()->eptColumns, 4);
    QVERIFY(view->litReferences() < 24);                        // lighting up one after another …
    QTRY_COMPARE_WITH_TIMEOUT(view->litReferences(), 24, 5000); // … to the whole walk
    QTemporaryDir dir;
    QCOMPARE(exportView(*view, dir.filePath(QStringLiteral("walk.svg"))), QString());
  }

  void compareViewHasARowPerBuiltTechnique() {
    MainWindow w(kLessons);
    QVERIFY(w.openGuest(kHello));
    QVERIFY(w.compareGuest());
    auto *view = qobject_cast<CompareView *>(w.view(QStringLiteral("compare")));
    QTRY_VERIFY_WITH_TIMEOUT(!view->busy(), 60000);
    view->collect();
    QCOMPARE(view->error(), QString());
    const auto built = builtTechniqueNames();
    QCOMPARE(view->rows().size(), built.size());
    for (std::size_t i = 0; i < built.size(); ++i) {
      const auto &row = view->rows()[i];
      QVERIFY(techniqueInfo(row.technique).name == built[i]);
      QCOMPARE(row.result.stop.kind, StopKind::Hlt);
      QVERIFY(row.cost.cycles > 0);
      if (row.technique == Technique::Vtx)
        QCOMPARE(row.exitCount(), 31u);
      if (row.technique == Technique::Native)
        QCOMPARE(row.exitCount(), 0u);
    }
    // A guest that does not assemble: the error, no rows.
    QTemporaryDir dir;
    const QString bad = dir.filePath(QStringLiteral("bad.asm"));
    QFile f(bad);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("bits 16\nmov ax, bogus\n");
    f.close();
    QVERIFY(!view->compare(bad).isEmpty());
    QVERIFY(view->rows().empty());
  }

  void nestedLevelsAndTheGuestHypervisorsVmcs() {
    MainWindow w(kLessons);
    QVERIFY(w.openGuest(kTinyVmm));
    QVERIFY(w.runGuest());
    QVERIFY(waitForRunToFinish(w, 30000));
    const MachineState &s = w.session().state();
    QVERIFY(s.nestedSeen);
    QVERIFY(s.nestedEntries > 0);
    QVERIFY(!s.guestVmcs.empty());
    auto *vmcs = qobject_cast<VmcsView *>(w.view(QStringLiteral("vmcs")));
    auto *selector = vmcs->findChild<QComboBox *>(QStringLiteral("vmcsRegion"));
    QVERIFY(selector);
    QCOMPARE(selector->count(), static_cast<int>(s.guestVmcs.size()) + 1);
    QVERIFY(vmcs->setRegion(s.guestVmcs.front().region));
    QCOMPARE(vmcs->region(), s.guestVmcs.front().region);
    QVERIFY(!vmcs->setRegion(0x123456789)); // no vmcs event named it
    // Back before the guest hypervisor's first VMWRITE: its region is gone, the VMM's shown.
    w.session().scrubTo(1);
    QCOMPARE(selector->count(), 1);
    QCOMPARE(vmcs->region(), kVmmVmcs);
  }

  void lessonGuideStepsAndChecksPredictions() {
    MainWindow w(kLessons);
    QVERIFY(w.openGuest(kHello));
    LessonGuide &guide = w.guide();
    QVERIFY(guide.hasLesson());
    QCOMPARE(guide.lesson()->id, 0u);
    // Step 1 runs to the first IO_INSTRUCTION exit and shows the timeline.
    guide.setStep(0);
    guide.goToStep();
    QTRY_VERIFY_WITH_TIMEOUT(!w.session().running() && w.session().currentEvent() &&
                                 w.session().cursor() < w.session().store().size(),
                             30000);
    const auto *exit = std::get_if<ExitEvent>(&w.session().currentEvent()->body);
    QVERIFY(exit);
    QCOMPARE(exit->reason, uint16_t(30));
    // Checkpoint 1: predict, then run and check against the trace.
    guide.setCheckpoint(0);
    guide.setPrediction(QStringLiteral("15"));
    guide.checkPrediction();
    QTRY_VERIFY_WITH_TIMEOUT(guide.lastVerdict().has_value(), 30000);
    QCOMPARE(*guide.lastVerdict(), false);
    QVERIFY(guide.verdictText().contains(QStringLiteral("30")));
    guide.setPrediction(QStringLiteral("30"));
    guide.checkPrediction();
    QTRY_VERIFY_WITH_TIMEOUT(guide.lastVerdict().has_value(), 30000);
    QCOMPARE(*guide.lastVerdict(), true);
    guide.setCheckpoint(1);
    guide.setPrediction(QStringLiteral("HLT"));
    guide.checkPrediction();
    QTRY_VERIFY_WITH_TIMEOUT(guide.lastVerdict().has_value(), 30000);
    QCOMPARE(*guide.lastVerdict(), true);
  }
};

QTEST_MAIN(ViewsGuiTest)
#include "views_gui_test.moc"
