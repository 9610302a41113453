#pragma once
// The dump view's table: one row per linear of an opened analysis dump, in block order and the
// dump's linear order. Display text is rounded; Qt::UserRole gives each cell's exact value.
#include <QAbstractTableModel>

namespace widgets {

class DumpDocument;

class DumpTableModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum Column {
    Block,
    Linear,
    Shape,
    SalientRatio,          // k / m
    Bits,                  // honest bits per weight of the layer (§7 [derived])
    ErrorBound,            // eq. (4) at the analytic initialisation
    RelativeError,         // ||W0 - W||_F / ||W||_F
    LearnedErrorBound,     // quantize dumps only
    LearnedRelativeError,  // quantize dumps only
    ColumnCount
  };

  explicit DumpTableModel(const DumpDocument& document, QObject* parent = nullptr);

  // Row of (block, linear index), and back.
  int rowOf(int64_t block, int linear) const;
  std::pair<int64_t, int> linearAt(int row) const;

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

  void reload();  // after the document opened a dump

private:
  const DumpDocument& document_;
  int linearsPerBlock_ = 0;
  int rows_ = 0;
};

}  // namespace widgets
