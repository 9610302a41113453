#pragma once
// The dialog in front of a figure export: pixel size, DPI (with the print size they give),
// colour map and scale, returned as FigureOptions.
#include <QDialog>

#include <optional>

#include "widgets/heatmap_figure.h"

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;

namespace widgets {

class FigureOptionsDialog : public QDialog {
  Q_OBJECT
public:
  // `initial` fills the fields; pass logScale = the canvas's scale so the box starts as shown.
  explicit FigureOptionsDialog(const FigureOptions& initial = {}, QWidget* parent = nullptr);
  FigureOptions options() const;

  // Runs the dialog: the chosen options, or nothing when cancelled.
  static std::optional<FigureOptions> ask(QWidget* parent, const FigureOptions& initial = {});

private:
  void showPrintSize();

  QSpinBox* width_;
  QSpinBox* height_;
  QSpinBox* dpi_;
  QComboBox* colourMap_;
  QCheckBox* logScale_;
  QLabel* printSize_;
};

}  // namespace widgets
