// The Methods view's files: the table's CSV/Markdown, the saved comparison (written and
// reopened), the figures, and the dialogs that ask where.
#include "widgets/methods_view.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>

#include "analysis/compare_report.h"
#include "widgets/chart_export.h"
#include "widgets/compare_run_kind.h"
#include "widgets/comparison_run.h"
#include "widgets/figure_options_dialog.h"
#include "widgets/layer_error_heatmap.h"
#include "widgets/methods_table_model.h"
#include "widgets/run_list.h"
#include "widgets/save_names.h"
#include "widgets/scatter_chart.h"
#include "widgets/studio_session.h"
#include "widgets/table_csv.h"

namespace widgets {

bool MethodsView::exportTable(const QString& path, QString& error) const {
  const QString suffix = QFileInfo(path).suffix().toLower();
  if (suffix != "csv" && suffix != "md") {
    error = path + tr(": the table is written as .csv or .md");
    return false;
  }
  const std::string text = suffix == "csv" ? analysis::compare_csv(result_) : analysis::compare_markdown(result_);
  return writeTextFile(path, QString::fromStdString(text), error);
}

bool MethodsView::saveComparison(const QString& directory, bool force, QString& error) const {
  try {
    writeSavedComparison(result_, directory, force);
    return true;
  } catch (const std::exception& e) {
    error = QString::fromStdString(e.what());
    return false;
  }
}

bool MethodsView::openComparison(const QString& directory, QString& error) {
  if (run_->running()) {
    error = tr("%1: a comparison is running").arg(directory);
    return false;
  }
  analysis::CompareResult saved;
  try {
    saved = readSavedComparison(directory);
  } catch (const std::exception& e) {
    error = QString::fromStdString(e.what());
    return false;
  }
  const bool task = saved.fp_accuracy.has_value();
  clearResults(task ? QString::fromStdString(saved.fp_accuracy->task) : QString(),
               task && saved.fp_accuracy->acc_norm.has_value());
  for (const analysis::CompareRow& row : saved.rows) {
    addRow(row);
    session_.runs().add(reopenedCompareRun(saved, row, directory));
  }
  result_.model = saved.model;
  result_.fp_perplexity = saved.fp_perplexity;
  result_.fp_accuracy = saved.fp_accuracy;
  result_.calibration_seconds = saved.calibration_seconds;
  result_.cancelled = saved.cancelled;
  showBaseline();
  status_->setText(
      tr("%1 methods read from %2; their rows are in the Runs view.").arg(saved.rows.size()).arg(directory));
  return true;
}

bool MethodsView::exportLayerErrorFigure(const QString& path, QString& error, const FigureOptions& options) const {
  HeatmapFigure figure = figureOf(*heatmap_);
  figure.content.columnAxis = methodColumnsAxis(result_.rows);
  return exportHeatmapFigure(figure, path, error, options);
}

void MethodsView::exportTableDialog(const QString& suffix) {
  const QString filters = tr("CSV table (*.csv);;Markdown table (*.md)");
  QString filter = suffix == "md" ? tr("Markdown table (*.md)") : tr("CSV table (*.csv)");
  QString path =
      QFileDialog::getSaveFileName(this, tr("Export the comparison table"),
                                   suggestedBeside(session_.modelPath(), "compare." + suffix), filters, &filter);
  if (path.isEmpty()) return;
  path = withSuffixOf(path, filter, filters);
  QString error;
  status_->setText(exportTable(path, error) ? tr("Table written to %1").arg(path) : error);
}

void MethodsView::saveComparisonDialog() {
  const QString dir = QFileDialog::getSaveFileName(this, tr("Save the comparison as a directory"),
                                                   suggestedBeside(session_.modelPath(), "compare"), tr("Directories"),
                                                   nullptr, QFileDialog::DontConfirmOverwrite);
  if (dir.isEmpty()) return;
  QString error;
  status_->setText(saveComparison(dir, false, error) ? tr("Comparison written to %1").arg(dir) : error);
}

void MethodsView::openComparisonDialog() {
  const QString file = QFileDialog::getOpenFileName(this, tr("Open a saved comparison"), {},
                                                    tr("Comparisons (compare.json);;All files (*)"));
  if (file.isEmpty()) return;
  QString error;
  if (!openComparison(QFileInfo(file).absolutePath(), error)) status_->setText(error);
}

void MethodsView::exportChartDialog() {
  QString filter;
  const QString filters = tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf);;CSV data (*.csv)");
  QString path = QFileDialog::getSaveFileName(
      this, tr("Export the chart"), suggestedBeside(session_.modelPath(), "ppl-vs-bits.png"), filters, &filter);
  if (path.isEmpty()) return;
  path = withSuffixOf(path, filter, filters);
  QString error;
  const bool ok = path.endsWith(".csv", Qt::CaseInsensitive) ? scatter_->exportCsv(path, error)
                                                             : scatter_->exportImage(path, error);
  status_->setText(ok ? tr("Chart written to %1").arg(path) : error);
}

void MethodsView::exportFigureDialog() {
  QString filter;
  const QString filters = tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)");
  QString path =
      QFileDialog::getSaveFileName(this, tr("Export the layer errors figure"),
                                   suggestedBeside(session_.modelPath(), "layer-errors.png"), filters, &filter);
  if (path.isEmpty()) return;
  path = withSuffixOf(path, filter, filters);
  FigureOptions initial;
  initial.logScale = heatmap_->logScale();
  const std::optional<FigureOptions> options = FigureOptionsDialog::ask(this, initial);
  if (!options) return;
  QString error;
  status_->setText(exportLayerErrorFigure(path, error, *options) ? tr("Figure written to %1").arg(path) : error);
}

}  // namespace widgets
