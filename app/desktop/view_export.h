#pragma once
// Writes a view as PNG or SVG (by the file's extension), and the recorded trace as JSON Lines.
#include <QString>

namespace ringside::desktop {

class ViewBase;
class EventStore;

/// Returns an error message, or an empty string on success.
QString exportView(ViewBase &view, const QString &path);
QString exportTrace(const EventStore &store, const QString &path);

} // namespace ringside::desktop
