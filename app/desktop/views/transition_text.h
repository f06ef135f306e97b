#pragma once
// Short labels for transitions (the arrows' captions), shared by the rings view and the
// timeline's tooltip. Names come from sim-core's tables; the words around them are translated.
#include "core/machine_state.h"

#include <QString>

namespace ringside::desktop {

QString transitionLabel(const Transition &t);
/// One line describing an event ("VM exit IO_INSTRUCTION at 0x7c0d", …).
QString eventSummary(const Event &event);

} // namespace ringside::desktop
