#pragma once
// quantlens-studio's command line.
#include <QSize>
#include <QString>
#include <QStringList>

#include <optional>

#include "quantcore/calib/calibration_windows.h"

struct StudioArguments {
  QString model;      // empty: start without a model
  QString calibText;  // empty: no calibration at start
  QString compare;    // empty: no second model for the compare view
  QString dump;       // empty: no analysis dump (--dump FILE.h5, or a MODEL ending in .h5)
  QString methods;    // --methods: the methods view's list (NAME[:KEY=VALUE],...)
  quantcore::CalibrationOptions calibration{32, 256, 2};
  QString view;                 // empty: the first view
  QString screenshot;           // non-empty: render `view`, save the window as PNG, exit
  QString figure;               // non-empty: render `view`, export its heatmap as PNG/SVG/PDF, exit
  QSize windowSize{1280, 800};  // --window-size WxH
  bool scripted() const { return !screenshot.isEmpty() || !figure.isEmpty(); }
};

// Parses argv (after the QApplication exists). On a usage error returns nullopt with `error`
// set to one line; on --help/--version prints and exits 0.
std::optional<StudioArguments> parse_studio_arguments(const QStringList& arguments, QString& error);
