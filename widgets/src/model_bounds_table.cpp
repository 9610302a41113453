#include "widgets/model_bounds_table.h"

#include <QAbstractTableModel>
#include <QHeaderView>
#include <QLabel>
#include <QPalette>
#include <QScrollBar>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

#include "widgets/model_bounds_run.h"
#include "widgets/studio_session.h"
#include "widgets/table_csv.h"

namespace widgets {

// The run's rows as a table model: cells are formatted when the view paints them, and an update
// re-announces only the value columns, so a pass over hundreds of layers costs the GUI one
// repaint of the visible rows per drain.
class ModelBoundsTable::Rows : public QAbstractTableModel {
public:
  Rows(const ModelBoundsRun& run, QObject* parent) : QAbstractTableModel(parent), run_(run) {}

  int rowCount(const QModelIndex& parent = {}) const override {
    return parent.isValid() ? 0 : static_cast<int>(run_.layerCount());
  }
  int columnCount(const QModelIndex& parent = {}) const override { return parent.isValid() ? 0 : kColumns; }

  QVariant headerData(int section, Qt::Orientation orientation, int role) const override {
    if (orientation != Qt::Horizontal) return {};
    if (role == Qt::ToolTipRole) {
      static const char* tips[kColumns] = {
          "decoder block", "the block's linear",
          "salient input columns of the structured mask: floor(ratio x in) + 1 (spec §2.2, the official code's "
          "rule: ratio 0 still keeps one column)",
          "E: the paper's eq. (4) bound of the layer's output error, sum_j s_j sum_i |W0_ij - W_ij| with s_j = "
          "max|x_j| (units of |W| x |x|)",
          "E / E(0): E relative to the ratio-0 mask. Ratio 0 keeps one salient column (floor(0) + 1), so E(0) is "
          "not the all-binarised bound and E / E(0) reads 1.000 at ratio 0"};
      return tr(tips[section]);
    }
    if (role != Qt::DisplayRole) return {};
    static const char* names[kColumns] = {"block", "linear", "salient", "E, eq. (4)", "E / E(0)"};
    return tr(names[section]);
  }

  QString text(int row, int column) const {
    const analysis::LayerBound& b = run_.rows()[static_cast<std::size_t>(row)];
    const bool known = run_.computed(static_cast<std::size_t>(row));
    switch (column) {
      case kBlock: return QString::number(b.block);
      case kLinear: return QString::fromStdString(b.linear);
      case kSalient: return known ? QString::number(b.salient_columns) : QStringLiteral("…");
      case kBound: return known ? QString::number(b.error_bound, 'g', 6) : QStringLiteral("…");
      case kRelative:
        return known && b.error_bound_at_zero > 0.0 ? QString::number(b.error_bound / b.error_bound_at_zero, 'f', 3)
                                                    : QStringLiteral("…");
    }
    return {};
  }

  QVariant data(const QModelIndex& index, int role) const override {
    if (!index.isValid() || index.row() >= rowCount()) return {};
    switch (role) {
      case Qt::DisplayRole: return text(index.row(), index.column());
      case kSortRole: return sortValue(index.row(), index.column());
      case Qt::ToolTipRole: {
        if (index.column() != kLinear) return {};
        const analysis::LayerBound& b = run_.rows()[static_cast<std::size_t>(index.row())];
        return QStringLiteral("%1 × %2 (out × in)").arg(b.out_features).arg(b.in_features);
      }
      case Qt::TextAlignmentRole:
        return index.column() == kLinear ? QVariant() : QVariant(int(Qt::AlignRight | Qt::AlignVCenter));
      case Qt::ForegroundRole:
        // A bound for an earlier ratio stays visible, greyed, until this ratio's arrives.
        if (index.column() >= kSalient && index.column() <= kRelative &&
            !run_.current(static_cast<std::size_t>(index.row())))
          return QPalette().brush(QPalette::PlaceholderText);
        return {};
    }
    return {};
  }

  static constexpr int kSortRole = Qt::UserRole;
  QVariant sortValue(int row, int column) const {
    const analysis::LayerBound& b = run_.rows()[static_cast<std::size_t>(row)];
    const bool known = run_.computed(static_cast<std::size_t>(row));
    switch (column) {
      case kBlock: return QVariant::fromValue<qint64>(b.block);
      case kLinear: return QString::fromStdString(b.linear);
      case kSalient: return known ? QVariant::fromValue<qint64>(b.salient_columns) : QVariant();
      case kBound: return known ? QVariant(b.error_bound) : QVariant();
      case kRelative:
        return known && b.error_bound_at_zero > 0.0 ? QVariant(b.error_bound / b.error_bound_at_zero) : QVariant();
    }
    return {};
  }

  void update() {
    if (rowCount() != shownRows_) {
      beginResetModel();
      shownRows_ = rowCount();
      endResetModel();
    } else if (shownRows_ > 0) {
      Q_EMIT dataChanged(index(0, kSalient), index(shownRows_ - 1, kRelative), {Qt::DisplayRole, Qt::ForegroundRole});
    }
  }

private:
  const ModelBoundsRun& run_;
  int shownRows_ = 0;
};

ModelBoundsTable::ModelBoundsTable(StudioSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  rows_ = new Rows(session.modelBounds(), this);
  progress_ = new QLabel(this);
  progress_->setObjectName("boundsProgressLabel");
  total_ = new QLabel(this);
  total_->setObjectName("boundsTotalLabel");
  table_ = new QTableView(this);
  table_->setObjectName("boundsTable");
  sorted_ = new QSortFilterProxyModel(this);
  sorted_->setSourceModel(rows_);
  sorted_->setSortRole(Rows::kSortRole);
  table_->setModel(sorted_);
  makeTableCopyableAndSortable(*table_);
  table_->sortByColumn(-1, Qt::AscendingOrder);  // model order (block by block) until a header is clicked
  table_->horizontalHeader()->setTextElideMode(Qt::ElideRight);
  table_->verticalHeader()->hide();
  table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 6);
  table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setSelectionMode(QAbstractItemView::SingleSelection);
  // Widths are fitted once per model (a header that resizes to its contents re-measures every
  // row on every update).
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(new QLabel(tr("<b>Every layer's error bound</b>"), this));
  layout->addWidget(progress_);
  layout->addWidget(total_);
  layout->addWidget(table_, 1);

  connect(table_, &QTableView::clicked, this, [this](const QModelIndex& shown) {
    const auto& rows = session_.modelBounds().rows();
    const QModelIndex index = sorted_->mapToSource(shown);
    if (index.isValid() && static_cast<std::size_t>(index.row()) < rows.size())
      session_.selectLayer(rows[index.row()].block, QString::fromStdString(rows[index.row()].linear));
  });
  connect(&session_.modelBounds(), &ModelBoundsRun::updated, this, &ModelBoundsTable::refresh);
  connect(&session_, &StudioSession::selectionChanged, this, &ModelBoundsTable::showSelection);
  refresh();
}

QString ModelBoundsTable::cellText(int row, int column) const { return rows_->text(row, column); }

void ModelBoundsTable::refresh() {
  const ModelBoundsRun& run = session_.modelBounds();
  const int before = rows_->rowCount();
  rows_->update();
  const int n = rows_->rowCount();
  if (n != before) widthsFitted_ = false;
  if (n == 0) {
    progress_->setText(tr("- (calibrate first)"));
    total_->clear();
    return;
  }
  if (!widthsFitted_ && run.complete()) {
    // Fitted once; a narrow splitter scrolls the table sideways rather than pushing the heatmap.
    table_->resizeColumnsToContents();
    widthsFitted_ = true;
  }
  showSelection();
  progress_->setText(tr("%1 of %2 layers at ratio %3%4")
                         .arg(run.layersDone())
                         .arg(n)
                         .arg(run.ratio(), 0, 'f', 2)
                         .arg(run.complete() ? QString() : tr(" (computing)")));
  total_->setText(tr("model-wide sum of E: %1").arg(QString::number(run.totalErrorBound(), 'g', 6)));
}

// A new selection only moves the highlighted row: the values and labels stay as they are.
void ModelBoundsTable::showSelection() {
  const LayerId& selected = session_.selectedLayer();
  const auto& rows = session_.modelBounds().rows();
  for (int i = 0; i < rows_->rowCount(); ++i)
    if (rows[i].block == selected.block && rows[i].linear == selected.linear) {
      const int shown = sorted_->mapFromSource(rows_->index(i, 0)).row();
      if (table_->currentIndex().row() != shown) table_->selectRow(shown);
      break;
    }
}

}  // namespace widgets
