#pragma once
// What the save dialogs suggest and complete: a name made of the model and what is saved, and
// the suffix of the chosen filter when the user typed none ("fig" -> "fig.png"), so that a file
// saved without one is not hidden by the open dialogs' filters.
#include <QString>

namespace widgets {

// `path` with the suffix of `filter` ("PNG image (*.png)") when it has none.
QString withSuffixOf(const QString& path, const QString& filter);
// "<directory of model>/<model base name>-<what>" ("stories260K-ptq161.h5" for what "ptq161.h5").
QString suggestedBeside(const QString& modelPath, const QString& what);

}  // namespace widgets
