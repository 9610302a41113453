#pragma once
// What the save dialogs suggest and complete: a name made of the model and what is saved, and
// the suffix of the chosen filter when the user typed none ("fig" -> "fig.png"), so that a file
// saved without one is not hidden by the open dialogs' filters.
#include <QString>

namespace widgets {

// `path` with the suffix of the chosen `filter` ("PNG image (*.png)") unless it already ends in
// one of the suffixes `filters` offers ("A (*.png);;B (*.svg)"; the chosen filter when empty):
// "fig-r0.2" becomes "fig-r0.2.png", "fig.svg" stays.
QString withSuffixOf(const QString& path, const QString& filter, const QString& filters = {});
// "<directory of model>/<model base name>-<what>" ("stories260K-ptq161.h5" for what "ptq161.h5").
QString suggestedBeside(const QString& modelPath, const QString& what);

}  // namespace widgets
