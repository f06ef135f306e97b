#pragma once
// `ringside-app --screenshots DIR GUEST`: runs the guest, then saves the window and each view
// in every theme (light, dark, presenter) and language (en, zh_CN) as PNGs, for the docs.
#include <QString>

namespace ringside::desktop {

class MainWindow;

/// Returns the process exit code (0 when every image was written).
int runScreenshotTour(MainWindow &window, const QString &guest, const QString &dir);

/// Processes events until the session's run has finished and the cursor shows the last event,
/// or `timeoutMs` passes. Returns whether it finished.
bool waitForRunToFinish(MainWindow &window, int timeoutMs);

} // namespace ringside::desktop
