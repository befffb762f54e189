#pragma once

class QApplication;

// The handheld look: large fonts and touch targets for gloved hands (≥ 64 px buttons), high
// contrast colours readable in a cold room, the same widgets on a desktop.
namespace Theme {

void apply(QApplication &application);

} // namespace Theme
