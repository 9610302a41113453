#pragma once
// The run list as a table (view `runs`): one row per RunRecord, columns method, settings, bits
// three ways, FP and quantised perplexity, time, status, kind and model. The # column is
// checkable: a checked run's curves are overlaid on the Optimise panel's loss chart. Numeric
// columns sort by value (Qt::UserRole).
#include <QAbstractTableModel>

#include <functional>

namespace widgets {

class RunList;
struct RunRecord;

class RunTableModel : public QAbstractTableModel {
  Q_OBJECT
public:
  // What matters most first: a narrow window scrolls the kind and the model out of view last.
  enum Column { Id, Method, Settings, PaperBits, StoredBits, BytesBits, FpPpl, Ppl, Seconds, Status, Kind, Model, kColumns };
  static constexpr int kSortRole = Qt::UserRole;
  static constexpr int kRunIdRole = Qt::UserRole + 1;

  // `isCurrent` tells the session's current run (its status reads "done, current").
  RunTableModel(RunList& runs, std::function<bool(const RunRecord&)> isCurrent, QObject* parent = nullptr);
  // The current run changed: its status cells are repainted.
  void currentChanged();

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;
  Qt::ItemFlags flags(const QModelIndex& index) const override;
  bool setData(const QModelIndex& index, const QVariant& value, int role) override;

private:
  RunList& runs_;
  std::function<bool(const RunRecord&)> isCurrent_;
};

}  // namespace widgets
