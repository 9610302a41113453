#pragma once
// The Methods view's table: one row per finished method of a comparison (method, settings, bits
// three ways, perplexity, zero-shot accuracy when a task ran, time, peak memory), appended as the
// rows finish. Numeric columns sort by value (kSortRole).
#include <QAbstractTableModel>
#include <QString>

#include <vector>

#include "analysis/compare_job.h"

namespace widgets {

class MethodsTableModel : public QAbstractTableModel {
  Q_OBJECT
public:
  enum class Column {
    Method,
    Settings,
    PaperBits,
    StoredBits,
    BytesBits,
    Ppl,
    Accuracy,
    AccuracyNorm,
    Seconds,
    Memory
  };
  static constexpr int kSortRole = Qt::UserRole;

  explicit MethodsTableModel(QObject* parent = nullptr);

  // Empties the table; `task` names the zero-shot task whose accuracy columns it shows (empty:
  // none), `norm` whether the task has acc_norm.
  void reset(const QString& task, bool norm);
  void append(const analysis::CompareRow& row);  // `row.run` is not kept
  const std::vector<analysis::CompareRow>& rows() const { return rows_; }
  Column column(int section) const { return columns_[size_t(section)]; }

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role) const override;

private:
  std::vector<Column> columns_;
  std::vector<analysis::CompareRow> rows_;
  QString task_;
};

}  // namespace widgets
