#include "widgets/methods_table_model.h"

#include <cmath>

#include "widgets/number_format.h"

namespace widgets {

namespace {
using Column = MethodsTableModel::Column;

QString percentText(const std::optional<double>& v) { return v ? QString::number(100 * *v, 'f', 2) : "-"; }
QVariant key(const std::optional<double>& v) { return v && std::isfinite(*v) ? QVariant(*v) : QVariant(); }
double mebibytes(int64_t bytes) { return double(bytes) / (1024.0 * 1024.0); }
}  // namespace

MethodsTableModel::MethodsTableModel(QObject* parent) : QAbstractTableModel(parent) { reset({}, false); }

void MethodsTableModel::reset(const QString& task, bool norm) {
  beginResetModel();
  rows_.clear();
  task_ = task;
  columns_ = {Column::Method, Column::Settings, Column::PaperBits, Column::StoredBits, Column::BytesBits, Column::Ppl};
  if (!task.isEmpty()) columns_.push_back(Column::Accuracy);
  if (!task.isEmpty() && norm) columns_.push_back(Column::AccuracyNorm);
  columns_.insert(columns_.end(), {Column::Seconds, Column::Memory});
  endResetModel();
}

void MethodsTableModel::append(const analysis::CompareRow& row) {
  const int at = int(rows_.size());
  beginInsertRows({}, at, at);
  rows_.push_back(row);
  rows_.back().run.reset();  // the stored forms belong to the session's run list
  endInsertRows();
}

int MethodsTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : int(rows_.size()); }
int MethodsTableModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : int(columns_.size());
}

QVariant MethodsTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || section < 0 || section >= int(columns_.size())) return {};
  if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
  const bool name = role == Qt::DisplayRole;
  switch (column(section)) {
    case Column::Method: return name ? tr("method") : tr("the method (registry name)");
    case Column::Settings: return name ? tr("settings") : tr("the method's settings that differ from its defaults");
    case Column::PaperBits:
      return name ? tr("bits (paper)") : tr("bits per quantised weight as the method's paper counts them");
    case Column::StoredBits:
      return name ? tr("bits (stored)")
                  : tr("bits per quantised weight as stored: every code, mask, bitmap and scale counted (spec §7)");
    case Column::BytesBits:
      return name
                 ? tr("bits (bytes)")
                 : tr("bits per quantised weight measured on the bytes of the method's packed file (methods with one)");
    case Column::Ppl:
      return name ? tr("PPL") : tr("perplexity on the evaluation text, the same windows for every method (spec §8.1)");
    case Column::Accuracy:
      return name ? tr("%1 acc %").arg(task_) : tr("zero-shot accuracy (lm-evaluation-harness conventions)");
    case Column::AccuracyNorm:
      return name ? tr("%1 acc_norm %").arg(task_) : tr("length-normalised zero-shot accuracy");
    case Column::Seconds: return name ? tr("time") : tr("quantisation time (the shared calibration not included)");
    case Column::Memory:
      return name ? tr("peak MiB")
                  : tr("peak resident memory of the whole process while the method ran (other Studio jobs running at "
                       "the same time count too)");
  }
  return {};
}

QVariant MethodsTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= int(rows_.size())) return {};
  const analysis::CompareRow& r = rows_[size_t(index.row())];
  const Column c = column(index.column());
  if (role == Qt::TextAlignmentRole && c != Column::Method && c != Column::Settings)
    return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole) {
    if (c == Column::Settings || c == Column::Method) return QString::fromStdString(r.spelling);
    if (c == Column::Ppl) return tr("%1 windows of %2 tokens").arg(r.perplexity.windows).arg(r.perplexity.seqlen);
    return {};
  }
  const bool sort = role == kSortRole;
  if (role != Qt::DisplayRole && !sort) return {};
  const std::optional<double> accuracy = r.accuracy ? std::optional<double>(r.accuracy->acc) : std::nullopt;
  const std::optional<double> norm = r.accuracy ? r.accuracy->acc_norm : std::nullopt;
  switch (c) {
    case Column::Method: return QString::fromStdString(r.method);
    case Column::Settings: {
      const QString spelling = QString::fromStdString(r.spelling);
      return spelling.section(':', 1).replace(':', ' ');
    }
    case Column::PaperBits: return sort ? QVariant(r.paper_bits) : QVariant(bitsText(r.paper_bits));
    case Column::StoredBits: return sort ? QVariant(r.stored_bits) : QVariant(bitsText(r.stored_bits));
    case Column::BytesBits:
      return sort ? key(r.bits_from_bytes) : QVariant(bitsText(r.bits_from_bytes.value_or(std::nan(""))));
    case Column::Ppl: return sort ? QVariant(r.perplexity.ppl) : QVariant(perplexityText(r.perplexity.ppl));
    case Column::Accuracy: return sort ? key(accuracy) : QVariant(percentText(accuracy));
    case Column::AccuracyNorm: return sort ? key(norm) : QVariant(percentText(norm));
    case Column::Seconds: return sort ? QVariant(r.seconds) : QVariant(durationText(r.seconds));
    case Column::Memory:
      return sort ? QVariant(mebibytes(r.peak_memory_bytes))
                  : QVariant(QString::number(mebibytes(r.peak_memory_bytes), 'f', 0));
  }
  return {};
}

}  // namespace widgets
