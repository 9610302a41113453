#pragma once
// The other layers' eq. (4) bounds at the slider's ratio (ModelBoundsRun): one row per block
// linear, filling in as the background pass finishes layers, with a "k of N layers" label and
// the model-wide sum of E. A click on a row selects that linear.
#include <QWidget>

class QLabel;
class QSortFilterProxyModel;
class QTableView;

namespace widgets {

class StudioSession;

class ModelBoundsTable : public QWidget {
  Q_OBJECT
public:
  enum Column { kBlock, kLinear, kSalient, kBound, kRelative, kColumns };  // the shape is the linear's tooltip

  ModelBoundsTable(StudioSession& session, QWidget* parent = nullptr);

  // The text a cell shows (what the tests read).
  QString cellText(int row, int column) const;

private:
  class Rows;
  void refresh();
  void showSelection();

  StudioSession& session_;
  Rows* rows_;
  QSortFilterProxyModel* sorted_;
  QLabel* progress_;
  QLabel* total_;
  QTableView* table_;
  bool widthsFitted_ = false;
};

}  // namespace widgets
