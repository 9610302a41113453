#pragma once
// quantlens-studio's command line.
#include <QString>
#include <QStringList>

#include <optional>

#include "quantcore/calib/calibration_windows.h"

struct StudioArguments {
  QString model;       // empty: start without a model
  QString calibText;   // empty: no calibration at start
  quantcore::CalibrationOptions calibration{32, 256, 2};
  QString view;        // empty: the first view
  QString screenshot;  // non-empty: render `view`, save the window as PNG, exit
};

// Parses argv (after the QApplication exists). On a usage error returns nullopt with `error`
// set to one line; on --help/--version prints and exits 0.
std::optional<StudioArguments> parse_studio_arguments(const QStringList& arguments, QString& error);
