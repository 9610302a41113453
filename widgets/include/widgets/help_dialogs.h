#pragma once
// The Help menu's windows: the user guide (docs/user-guide.md rendered, its screenshots shown)
// and the About box.
#include <QString>

class QWidget;

namespace widgets {

// Where the user guide is read from; empty when it is not installed beside the binary or in the
// source tree it was built from.
QString userGuidePath();
void showUserGuide(QWidget* parent);
void showAbout(QWidget* parent);

}  // namespace widgets
