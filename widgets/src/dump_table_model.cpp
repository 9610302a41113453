#include "widgets/dump_table_model.h"

#include "widgets/dump_document.h"

namespace widgets {

DumpTableModel::DumpTableModel(const DumpDocument& document, QObject* parent)
    : QAbstractTableModel(parent), document_(document) {
  reload();
}

void DumpTableModel::reload() {
  beginResetModel();
  rows_ = 0;
  linearsPerBlock_ = 0;
  if (document_.isOpen() && !document_.blocks().empty()) {
    linearsPerBlock_ = static_cast<int>(document_.blocks().front().linears.size());
    rows_ = static_cast<int>(document_.blocks().size()) * linearsPerBlock_;
  }
  endResetModel();
}

int DumpTableModel::rowOf(int64_t block, int linear) const {
  if (block < 0 || linear < 0 || linear >= linearsPerBlock_) return -1;
  const int64_t row = block * linearsPerBlock_ + linear;
  return row < rows_ ? static_cast<int>(row) : -1;
}

std::pair<int64_t, int> DumpTableModel::linearAt(int row) const {
  if (row < 0 || row >= rows_) return {-1, -1};
  return {row / linearsPerBlock_, row % linearsPerBlock_};
}

int DumpTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : rows_; }

int DumpTableModel::columnCount(const QModelIndex& parent) const {
  if (parent.isValid()) return 0;
  return document_.isOpen() && document_.header().quantized() ? ColumnCount : LearnedErrorBound;
}

QVariant DumpTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || (role != Qt::DisplayRole && role != Qt::UserRole && role != Qt::TextAlignmentRole)) return {};
  const auto [block, linear] = linearAt(index.row());
  if (block < 0) return {};
  if (role == Qt::TextAlignmentRole)
    return index.column() == Linear ? QVariant(Qt::AlignLeft | Qt::AlignVCenter)
                                    : QVariant(Qt::AlignRight | Qt::AlignVCenter);
  const analysis::DumpLinear& l = document_.blocks()[static_cast<size_t>(block)].linears[static_cast<size_t>(linear)];
  const bool exact = role == Qt::UserRole;
  auto number = [exact](double v, int digits) -> QVariant {
    return exact ? QVariant(v) : QVariant(QString::number(v, 'g', digits));
  };
  switch (index.column()) {
    case Block: return QVariant::fromValue<qint64>(document_.blocks()[static_cast<size_t>(block)].index);
    case Linear: return QString::fromStdString(l.linear);
    case Shape:
      return exact ? QVariant(QList<QVariant>{QVariant::fromValue<qint64>(l.out_features),
                                              QVariant::fromValue<qint64>(l.in_features)})
                   : QVariant(QString("%1 x %2").arg(l.out_features).arg(l.in_features));
    case SalientRatio:
      return exact ? QVariant(l.salient_ratio)
                   : QVariant(QString("%1 (%2)").arg(l.salient_ratio, 0, 'f', 4).arg(l.salient_columns));
    case Bits: return exact ? QVariant(l.bits) : QVariant(QString::number(l.bits, 'f', 4));
    case ErrorBound: return number(l.error_bound, 5);
    case RelativeError: return number(l.relative_error, 4);
    case LearnedErrorBound: return l.learned_error_bound ? number(*l.learned_error_bound, 5) : QVariant();
    case LearnedRelativeError: return l.learned_relative_error ? number(*l.learned_relative_error, 4) : QVariant();
    default: return {};
  }
}

QVariant DumpTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return QAbstractTableModel::headerData(section, orientation, role);
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case SalientRatio: return tr("salient input channels k / m (k), spec §2.2");
      case Bits: return tr("honest bits per weight of this layer, spec §7");
      case ErrorBound: return tr("paper eq. (4) at the analytic initialisation: sum_j s_j sum_i |W0_ij - W_ij|");
      case RelativeError: return tr("||W0 - W||_F / ||W||_F at the analytic initialisation");
      case LearnedErrorBound:
        return tr(
            "eq. (4) for the learned weights W'. Training minimises the block's output loss (spec §5.1), "
            "not each layer's weight error, so this is often above the analytic value");
      case LearnedRelativeError:
        return tr(
            "||W' - W||_F / ||W||_F after training. Training minimises the block's output loss (spec §5.1), "
            "not each layer's weight error, so this is often above the analytic value");
      default: return {};
    }
  }
  if (role != Qt::DisplayRole) return {};
  switch (section) {
    case Block: return tr("block");
    case Linear: return tr("linear");
    case Shape: return tr("n x m");
    case SalientRatio: return tr("salient (k)");
    case Bits: return tr("bits");
    case ErrorBound: return tr("eq. (4)");
    case RelativeError: return tr("rel. err");
    case LearnedErrorBound: return tr("eq. (4) learned");
    case LearnedRelativeError: return tr("rel. err learned");
    default: return {};
  }
}

}  // namespace widgets
