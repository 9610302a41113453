#pragma once
// What the Studio starts from and checks before it starts a job: the shipped calibration text
// (the default everywhere a text is asked for), small calibration defaults capped at the model's
// context, and the one-line reason a text field cannot be used ("PATH: no such file").
#include <QString>

#include <cstdint>

#include "quantcore/calib/calibration_windows.h"

namespace quantcore {
struct ModelSpec;
}

namespace widgets {

// A file shipped with QuantLens: `installed` (relative to the binary's directory) when present,
// else `inSource` (the source tree the binary was built from); empty when neither exists.
QString shippedFile(const QString& installed, const QString& inSource);
// The story text shipped with QuantLens (resources/text/little-stories.txt); empty when absent.
QString shippedCalibrationText();
// 32 windows of 256 tokens, seed 2: seconds on the embedded model, a few minutes on a 1B model.
quantcore::CalibrationOptions studioCalibrationDefaults();
// The longest window the model takes (its max_position_embeddings; `fallback` when unknown).
int64_t modelContext(const quantcore::ModelSpec& spec, int64_t fallback = 32768);
// Why `path` cannot be read as a text ("no calibration text: choose a file", "PATH: no such
// file", "PATH: is a directory", "PATH: cannot be read"); empty when it can. `what` names the field.
QString textFileProblem(const QString& path, const QString& what);

}  // namespace widgets
