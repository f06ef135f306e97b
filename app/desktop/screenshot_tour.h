#pragma once
// `ringside-app --screenshots DIR GUEST`: runs the guest, then saves the window and each view
// in every theme (light, dark, presenter) and language (en, zh_CN) as PNGs, for the docs.
#include <QString>

namespace ringside::desktop {

class MainWindow;

/// Returns the process exit code (0 when every image was written). Besides `guest`, the tour
/// shows the recorded 2-D walk (`sourceRoot`/tests/desktop/data/walk_2d_cold.jsonl) in the
/// page-walk view and lesson 07's tiny VMM in the rings and VMCS views, when they exist.
int runScreenshotTour(MainWindow &window, const QString &guest, const QString &dir,
                      const QString &sourceRoot = {});

/// `ringside-app --figures DIR`: slides-friendly figures from real runs, each as PNG (2×) and
/// SVG through the views' export, in English and Chinese (scripts/figures). Exit code.
int exportFigures(MainWindow &window, const QString &sourceRoot, const QString &dir);

/// Processes events until the session's run has finished and the cursor shows the last event,
/// or `timeoutMs` passes. Returns whether it finished.
bool waitForRunToFinish(MainWindow &window, int timeoutMs);

} // namespace ringside::desktop
