#include "widgets/figure_options_dialog.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QVBoxLayout>

#include "widgets/colormap.h"

namespace widgets {

namespace {
QSpinBox* spinBox(const char* name, int lo, int hi, int value, const QString& suffix) {
  auto* box = new QSpinBox;
  box->setObjectName(name);
  box->setRange(lo, hi);
  box->setValue(value);
  box->setSuffix(suffix);
  return box;
}
}  // namespace

FigureOptionsDialog::FigureOptionsDialog(const FigureOptions& initial, QWidget* parent) : QDialog(parent) {
  setWindowTitle(tr("Figure options"));
  width_ = spinBox("figureWidth", 16, 16384, initial.size.width(), tr(" px"));
  height_ = spinBox("figureHeight", 16, 16384, initial.size.height(), tr(" px"));
  dpi_ = spinBox("figureDpi", 18, 2400, initial.dpi, tr(" dpi"));
  colourMap_ = new QComboBox;
  colourMap_->setObjectName("figureColourMap");
  for (const std::string& name : colormapNames()) colourMap_->addItem(QString::fromStdString(name));
  colourMap_->setCurrentIndex(std::max(0, colourMap_->findText(initial.colourMap)));
  logScale_ = new QCheckBox(tr("log scale"));
  logScale_->setObjectName("figureLogScale");
  logScale_->setChecked(initial.logScale.value_or(false));
  printSize_ = new QLabel;
  printSize_->setObjectName("figurePrintSize");

  auto* size = new QHBoxLayout;
  size->addWidget(width_);
  size->addWidget(new QLabel(QStringLiteral("×")));
  size->addWidget(height_);
  auto* form = new QFormLayout;
  form->addRow(tr("Size"), size);
  form->addRow(tr("Resolution"), dpi_);
  form->addRow(QString(), printSize_);
  form->addRow(tr("Colour map"), colourMap_);
  form->addRow(QString(), logScale_);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(form);
  layout->addWidget(buttons);

  for (QSpinBox* box : {width_, height_, dpi_})
    connect(box, qOverload<int>(&QSpinBox::valueChanged), this, [this] { showPrintSize(); });
  showPrintSize();
}

FigureOptions FigureOptionsDialog::options() const {
  FigureOptions o;
  o.size = QSize(width_->value(), height_->value());
  o.dpi = dpi_->value();
  o.colourMap = colourMap_->currentText();
  o.logScale = logScale_->isChecked();
  return o;
}

void FigureOptionsDialog::showPrintSize() {
  const FigureOptions o = options();
  const QSizeF inches = QSizeF(o.size) / double(o.dpi);
  printSize_->setText(tr("%1 × %2 in (%3 × %4 cm); text is set in points")
                          .arg(inches.width(), 0, 'f', 2)
                          .arg(inches.height(), 0, 'f', 2)
                          .arg(inches.width() * 2.54, 0, 'f', 1)
                          .arg(inches.height() * 2.54, 0, 'f', 1));
}

std::optional<FigureOptions> FigureOptionsDialog::ask(QWidget* parent, const FigureOptions& initial) {
  FigureOptionsDialog dialog(initial, parent);
  if (dialog.exec() != QDialog::Accepted) return std::nullopt;
  return dialog.options();
}

}  // namespace widgets
