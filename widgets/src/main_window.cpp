#include "widgets/main_window.h"

#include <QDockWidget>
#include <QFileDialog>
#include <QFileInfo>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QProgressBar>
#include <QStatusBar>
#include <QTabWidget>

#include "widgets/calibration_panel.h"
#include "widgets/dump_document.h"
#include "widgets/export_actions.h"
#include "widgets/figure_options_dialog.h"
#include "widgets/heatmap_figure.h"
#include "widgets/model_tree.h"
#include "widgets/optimise_panel.h"
#include "widgets/help_dialogs.h"
#include "widgets/recent_files.h"
#include "widgets/runs_view.h"
#include "widgets/save_names.h"
#include "widgets/studio_session.h"
#include "widgets/views.h"

namespace widgets {

MainWindow::MainWindow(StudioSession& session, bool interactive, QWidget* parent)
    : QMainWindow(parent), session_(session), interactive_(interactive) {
  setWindowTitle(tr("QuantLens Studio"));
  tabs_ = new QTabWidget(this);
  for (const ViewEntry& v : studioViews()) {
    QWidget* w = v.make(session_, tabs_);
    w->setObjectName(v.name + "View");
    tabs_->addTab(w, v.title);
  }
  tabs_->setUsesScrollButtons(true);
  tabs_->setElideMode(Qt::ElideNone);
  setCentralWidget(tabs_);

  tree_ = new ModelTree(session_, this);
  tree_->setObjectName("modelTree");
  tree_->setMinimumWidth(220);
  auto* treeDock = new QDockWidget(tr("Model"), this);
  treeDock->setObjectName("modelDock");
  treeDock->setWidget(tree_);
  addDockWidget(Qt::LeftDockWidgetArea, treeDock);

  calibration_ = new CalibrationPanel(session_, this);
  calibration_->setObjectName("calibrationPanel");
  auto* calibDock = new QDockWidget(tr("Calibration"), this);
  calibDock->setObjectName("calibrationDock");
  calibDock->setWidget(calibration_);
  // Below the model tree: the spare width goes to the views, not to a mostly empty dock.
  addDockWidget(Qt::LeftDockWidgetArea, calibDock);
  splitDockWidget(treeDock, calibDock, Qt::Vertical);
  resizeDocks({treeDock}, {340}, Qt::Horizontal);

  status_ = new QLabel(tr("No model. File > Open model..."), this);
  loadProgress_ = new QProgressBar(this);
  loadProgress_->setMaximumWidth(160);
  loadProgress_->setVisible(false);
  statusBar()->addWidget(status_, 1);
  statusBar()->addPermanentWidget(loadProgress_);

  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open model..."), QKeySequence::Open, this, &MainWindow::openDialog);
  file->addAction(tr("Open analysis &dump..."), this, &MainWindow::openDumpDialog);
  auto* runs = qobject_cast<RunsView*>(view("runs"));
  file->addAction(tr("Open &run..."), this, [this, runs] {
    showView("runs");
    runs->openRunDialog();
  });
  connect(runs, &RunsView::compareRequested, this, [this] { showView("compare"); });
  recent_ = new RecentFiles(this);
  recentMenu_ = file->addMenu(tr("Open &recent"));
  recentMenu_->setObjectName("recentMenu");
  connect(recent_, &RecentFiles::changed, this, &MainWindow::rebuildRecentMenu);
  rebuildRecentMenu();
  file->addSeparator();
  file->addAction(tr("&Export figure..."), this, &MainWindow::exportFigureDialog);
  exports_ = new ExportActions(session_, this, interactive_);
  exports_->addTo(*file, *statusBar());
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);
  QMenu* viewMenu = menuBar()->addMenu(tr("&View"));
  viewMenu->addAction(treeDock->toggleViewAction());
  viewMenu->addAction(calibDock->toggleViewAction());
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&User guide"), QKeySequence::HelpContents, this, [this] { showUserGuide(this); });
  help->addAction(tr("&About QuantLens Studio"), this, [this] { showAbout(this); });

  connect(&session_, &StudioSession::jobStarted, this, [this](const QString& what) {
    status_->setText(what + "...");
    loadProgress_->setRange(0, 0);
    loadProgress_->setVisible(true);
  });
  auto jobEnded = [this](const QString& text) {
    status_->setText(text);
    loadProgress_->setVisible(false);
  };
  connect(&session_, &StudioSession::modelOpened, this, [this, jobEnded] {
    recent_->add(session_.modelPath());
    const auto& s = session_.spec();
    jobEnded(tr("%1: %2 blocks, hidden %3, vocabulary %4")
                 .arg(session_.modelPath())
                 .arg(s.num_layers)
                 .arg(s.hidden_size)
                 .arg(s.vocab_size));
  });
  connect(&session_, &StudioSession::modelFailed, this, [this, jobEnded](const QString& m) {
    jobEnded(m);
    showError(tr("Cannot open the model"), m);
  });
  connect(&session_, &StudioSession::calibrationFinished, this, [jobEnded] { jobEnded(tr("Calibration done.")); });
  connect(&session_, &StudioSession::calibrationCancelled, this,
          [jobEnded] { jobEnded(tr("Calibration cancelled.")); });
  connect(&session_, &StudioSession::calibrationFailed, this, [this, jobEnded](const QString& m) {
    jobEnded(m);
    showError(tr("Calibration failed"), m);
  });
  DumpDocument& dump = session_.dump();
  connect(&dump, &DumpDocument::opening, this, [this](const QString& path) {
    status_->setText(tr("Reading %1...").arg(path));
    loadProgress_->setRange(0, 0);
    loadProgress_->setVisible(true);
  });
  connect(&dump, &DumpDocument::opened, this, [this, jobEnded] {
    recent_->add(session_.dump().path());
    jobEnded(tr("Analysis dump %1 read.").arg(session_.dump().path()));
  });
  connect(&dump, &DumpDocument::cancelled, this, [jobEnded] { jobEnded(tr("Reading the dump cancelled.")); });
  connect(&dump, &DumpDocument::failed, this, [this, jobEnded](const QString& m) {
    jobEnded(m);
    showError(tr("Cannot open the analysis dump"), m);
  });
  connect(&session_, &StudioSession::selectionChanged, this, [this] {
    const LayerId& id = session_.selectedLayer();
    statusBar()->showMessage(tr("selected: block %1 %2").arg(id.block).arg(QString::fromStdString(id.linear)), 4000);
  });
}

bool MainWindow::showView(const QString& name) {
  QWidget* w = view(name);
  if (!w) return false;
  tabs_->setCurrentWidget(w);
  return true;
}

HeatmapCanvas* MainWindow::currentHeatmap() const {
  return tabs_->currentWidget() ? tabs_->currentWidget()->findChild<HeatmapCanvas*>() : nullptr;
}

bool MainWindow::exportFigure(const QString& path, QString& error, const FigureOptions& options) {
  HeatmapCanvas* canvas = currentHeatmap();
  if (!canvas) {
    error = path + ": the view '" + tabs_->tabText(tabs_->currentIndex()) + "' has no heatmap to export";
    return false;
  }
  return exportHeatmapFigure(figureOf(*canvas), path, error, options);
}

void MainWindow::exportFigureDialog() {
  const QString view = tabs_->currentWidget() ? tabs_->currentWidget()->objectName().chopped(4) : "figure";
  const QString suggested = suggestedBeside(session_.modelPath(), view + ".png");
  QString filter;
  const QString filters = tr("PNG image (*.png);;SVG drawing (*.svg);;PDF document (*.pdf)");
  QString path = QFileDialog::getSaveFileName(this, tr("Export figure"), suggested, filters, &filter);
  if (path.isEmpty()) return;
  path = withSuffixOf(path, filter, filters);
  // Size, resolution and colour map of the figure; the view's scale is the default.
  FigureOptions initial;
  if (HeatmapCanvas* canvas = currentHeatmap()) initial.logScale = canvas->logScale();
  const std::optional<FigureOptions> options = FigureOptionsDialog::ask(this, initial);
  if (!options) return;
  QString error;
  if (!exportFigure(path, error, *options))
    showError(tr("Export figure"), error);
  else
    status_->setText(tr("Figure written to %1").arg(path));
}

QWidget* MainWindow::view(const QString& name) const { return tabs_->findChild<QWidget*>(name + "View"); }

void MainWindow::openDialog() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open model"), {}, tr("Models (*.bin config.json);;All files (*)"));
  if (path.isEmpty()) return;
  // An HF model is its directory: the dialog picks its config.json.
  session_.openModel(path.endsWith("config.json") ? QFileInfo(path).absolutePath() : path);
}

void MainWindow::rebuildRecentMenu() {
  recentMenu_->clear();
  const QStringList paths = recent_->paths();
  for (int i = 0; i < paths.size(); ++i) {
    const QString& path = paths[i];
    const bool present = QFileInfo::exists(path);
    QAction* a = recentMenu_->addAction(QString("&%1 %2%3").arg(i + 1).arg(path, present ? "" : tr(" (missing)")));
    a->setEnabled(present);
    a->setData(path);
    connect(a, &QAction::triggered, this, [this, path] { openRecent(path); });
  }
  if (!paths.isEmpty()) recentMenu_->addSeparator();
  QAction* clear = recentMenu_->addAction(tr("&Clear list"), recent_, &RecentFiles::clear);
  clear->setEnabled(!paths.isEmpty());
}

// A recent analysis dump opens in the dump view; anything else is a model.
void MainWindow::openRecent(const QString& path) {
  if (!path.endsWith(".h5", Qt::CaseInsensitive)) return session_.openModel(path);
  showView("dump");
  session_.dump().open(path);
}

void MainWindow::openDumpDialog() {
  const QString path =
      QFileDialog::getOpenFileName(this, tr("Open analysis dump"), {}, tr("Analysis dumps (*.h5);;All files (*)"));
  if (path.isEmpty()) return;
  showView("dump");
  session_.dump().open(path);
}

void MainWindow::showError(const QString& title, const QString& message) {
  if (interactive_) QMessageBox::warning(this, title, message);
}

}  // namespace widgets
