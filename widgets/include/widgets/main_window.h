#pragma once
// QuantLens Studio's main window: the model tree and calibration docks around one tab per
// registered view, a status bar with the current job's progress.
#include <QMainWindow>

#include "widgets/heatmap_figure.h"

class QTabWidget;
class QProgressBar;
class QLabel;
class QMenu;

namespace widgets {

class StudioSession;
class CalibrationPanel;
class ModelTree;
class RecentFiles;
class ExportActions;
class HeatmapCanvas;

class MainWindow : public QMainWindow {
  Q_OBJECT
public:
  // With interactive = false, failures are only reported through the session's signals
  // (scripted screenshots and tests), never in a dialog.
  MainWindow(StudioSession& session, bool interactive, QWidget* parent = nullptr);

  CalibrationPanel& calibrationPanel() { return *calibration_; }
  ModelTree& modelTree() { return *tree_; }
  RecentFiles& recentFiles() { return *recent_; }
  QMenu& recentMenu() { return *recentMenu_; }
  ExportActions& exports() { return *exports_; }
  // Brings the named view to the front; false for an unknown name.
  bool showView(const QString& name);
  QWidget* view(const QString& name) const;
  // Exports the current view's heatmap as a PNG, SVG or PDF figure (by suffix); false with a
  // one-line `error` when the view has no heatmap or the file cannot be written.
  bool exportFigure(const QString& path, QString& error, const FigureOptions& options = {});

private:
  HeatmapCanvas* currentHeatmap() const;
  void openDialog();
  void openRecent(const QString& path);
  void rebuildRecentMenu();
  void openDumpDialog();
  void exportFigureDialog();
  void showError(const QString& title, const QString& message);

  StudioSession& session_;
  bool interactive_;
  QTabWidget* tabs_;
  ModelTree* tree_;
  CalibrationPanel* calibration_;
  QLabel* status_;
  QProgressBar* loadProgress_;
  RecentFiles* recent_;
  QMenu* recentMenu_;
  ExportActions* exports_;
};

}  // namespace widgets
