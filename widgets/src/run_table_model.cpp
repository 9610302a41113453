#include "widgets/run_table_model.h"

#include <QFileInfo>

#include <cmath>

#include "widgets/number_format.h"
#include "widgets/run_kinds.h"
#include "widgets/run_list.h"

namespace widgets {

RunTableModel::RunTableModel(RunList& runs, std::function<bool(const RunRecord&)> isCurrent, QObject* parent)
    : QAbstractTableModel(parent), runs_(runs), isCurrent_(std::move(isCurrent)) {
  connect(&runs_, &RunList::aboutToAdd, this, [this] { beginInsertRows({}, runs_.count(), runs_.count()); });
  connect(&runs_, &RunList::added, this, [this](int) { endInsertRows(); });
  connect(&runs_, &RunList::changed, this, [this](int id) {
    for (int r = 0; r < runs_.count(); ++r)
      if (runs_.records()[size_t(r)].id == id) Q_EMIT dataChanged(index(r, 0), index(r, kColumns - 1));
  });
  connect(&runs_, &RunList::overlaysChanged, this, [this] {
    if (runs_.count() > 0) Q_EMIT dataChanged(index(0, Id), index(runs_.count() - 1, Id));
  });
}

void RunTableModel::currentChanged() {
  if (runs_.count() > 0) Q_EMIT dataChanged(index(0, Status), index(runs_.count() - 1, Status));
}

int RunTableModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : runs_.count(); }
int RunTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : kColumns; }

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal) return {};
  static const char* names[kColumns] = {"#",      "method", "settings", "bits (paper)", "bits (stored)", "bits (bytes)",
                                        "FP PPL", "PPL",    "time",     "status",       "kind",          "model"};
  static const char* tips[kColumns] = {
      "run number in this session; checked: its loss curves are overlaid on the Optimise chart",
      "the quantisation method (registry name)",
      "the method's settings as NAME:key=value",
      "bits per quantised weight as the method's paper counts them",
      "bits per quantised weight as stored: every mask, bitmap, code and scale counted (spec §7)",
      "bits per quantised weight measured on the bytes of the written packed file (after Save)",
      "perplexity of the original model on the same text and windows",
      "perplexity of the quantised model (exp of the mean NLL per predicted token, spec §8.1)",
      "calibration and quantisation wall time",
      "running, done, cancelled, failed, or read from disk; the current run is the one the model tree's bits, "
      "the exports and Perplexity use",
      "what made the run",
      "the model the run started from"};
  if (role == Qt::DisplayRole) return tr(names[section]);
  if (role == Qt::ToolTipRole) return tr(tips[section]);
  return {};
}

Qt::ItemFlags RunTableModel::flags(const QModelIndex& index) const {
  Qt::ItemFlags f = QAbstractTableModel::flags(index);
  if (index.column() == Id) f |= Qt::ItemIsUserCheckable;
  return f;
}

bool RunTableModel::setData(const QModelIndex& index, const QVariant& value, int role) {
  if (role != Qt::CheckStateRole || index.column() != Id || index.row() >= runs_.count()) return false;
  runs_.setOverlaid(runs_.records()[size_t(index.row())].id, value.toInt() == Qt::Checked);
  return true;
}

QVariant RunTableModel::data(const QModelIndex& index, int role) const {
  if (!index.isValid() || index.row() >= runs_.count()) return {};
  const RunRecord& r = runs_.records()[size_t(index.row())];
  if (role == kRunIdRole) return r.id;
  if (role == Qt::CheckStateRole && index.column() == Id) return runs_.overlaid(r.id) ? Qt::Checked : Qt::Unchecked;
  const bool sort = role == kSortRole;
  // Unknown numbers sort as no value (last), never as NaN, which compares equal to everything.
  auto key = [](double v) { return std::isfinite(v) ? QVariant(v) : QVariant(); };
  if (role == Qt::TextAlignmentRole && index.column() >= PaperBits && index.column() <= Seconds)
    return int(Qt::AlignRight | Qt::AlignVCenter);
  if (role == Qt::ToolTipRole) {
    switch (index.column()) {
      case Model: return r.model;
      case Settings: return r.spelling;
      case Ppl:
        return r.perplexity.valid() ? tr("%1 at seqlen %2 over %3 windows (%4)")
                                          .arg(r.perplexity.text)
                                          .arg(r.perplexity.seqlen)
                                          .arg(r.perplexity.windows)
                                          .arg(r.perplexity.kernels)
                                    : QVariant();
      case Status: return r.message.isEmpty() ? QVariant() : r.message;
      default: return headerData(index.column(), Qt::Horizontal, Qt::ToolTipRole);
    }
  }
  if (role != Qt::DisplayRole && !sort) return {};
  switch (index.column()) {
    case Id: return sort ? QVariant(r.id) : QVariant(QString("#%1").arg(r.id));
    case Kind: {
      const RunKind* k = findRunKind(r.kind);
      return k ? k->title : r.kind;
    }
    case Model: return sort ? r.model : QFileInfo(r.model).fileName();
    case Method: return r.method;
    case Settings: return r.spelling.section(':', 1).replace(':', ' ');
    case PaperBits: return sort ? key(r.paperBits) : QVariant(bitsText(r.paperBits));
    case StoredBits: return sort ? key(r.storedBits) : QVariant(bitsText(r.storedBits));
    case BytesBits: return sort ? key(r.bitsFromBytes) : QVariant(bitsText(r.bitsFromBytes));
    case FpPpl: return sort ? key(r.perplexity.fpPpl) : QVariant(perplexityText(r.perplexity.fpPpl));
    case Ppl: return sort ? key(r.perplexity.ppl) : QVariant(perplexityText(r.perplexity.ppl));
    case Seconds: return sort ? key(r.seconds) : QVariant(durationText(r.seconds));
    case Status: {
      QString s = runStatusName(r.status);
      if (r.status == RunStatus::Done && !r.result) s += tr(" (not in memory)");
      if (isCurrent_ && isCurrent_(r)) s += tr(", current");
      if (r.status == RunStatus::Failed && !r.message.isEmpty()) s += ": " + r.message;
      return s;
    }
  }
  return {};
}

}  // namespace widgets
