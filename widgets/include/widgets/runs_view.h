#pragma once
// The run list (view `runs`): every run of the session as a sortable row (RunTableModel); check
// runs to overlay their curves on the Optimise chart, select two to diff their settings, one to
// make it the current run (the model tree's bits and the exports follow it), to compare it with
// the original model in the compare view, or to save it as a run directory. Saved runs reopen
// from File > Open run.
#include <QWidget>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;
class QTextBrowser;

namespace widgets {

class StudioSession;
class RunTableModel;

class RunsView : public QWidget {
  Q_OBJECT
public:
  explicit RunsView(StudioSession& session, QWidget* parent = nullptr);

  QTableView& table() { return *table_; }
  // The ids of the selected rows, in increasing order.
  QList<int> selectedRuns() const;
  void selectRuns(const QList<int>& ids);
  // Writes run `id` to `directory` (packed when its method has a packed form, else fake-quant
  // HF) off the GUI thread; saved(id) or failed(message) follows.
  void saveRun(int id, const QString& directory);
  // Reads the run saved at `path` (a run directory, a run's HDF5 dump, or a saved comparison's
  // rows) into the list; false with a one-line error naming the file.
  bool openRun(const QString& path, QString& error);
  QString diffText() const;

public Q_SLOTS:
  void openRunDialog();

Q_SIGNALS:
  void saved(int id);
  void failed(const QString& message);
  // "Compare with original" asks the main window to show the compare view.
  void compareRequested();

private:
  void refreshButtons();
  void showDiff();
  void saveDialog();

  StudioSession& session_;
  RunTableModel* model_;
  QSortFilterProxyModel* sorted_;
  QTableView* table_;
  QTextBrowser* details_;
  QPushButton *save_, *current_, *compare_, *csv_;
  QLabel* status_;
  bool saving_ = false;
};

}  // namespace widgets
