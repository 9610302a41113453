#include "widgets/table_csv.h"

#include <QAbstractItemView>
#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QTableView>
#include <QTreeView>

namespace widgets {

QString csvField(QString s) {
  if (s.contains(',') || s.contains('"') || s.contains('\n') || s.contains('\r'))
    return '"' + s.replace('"', "\"\"") + '"';
  return s;
}

namespace {
// Top-level rows and, in a tree, their expanded children, in display order.
void collectRows(const QAbstractItemView& view, const QModelIndex& parent, std::vector<QModelIndex>& rows) {
  const QAbstractItemModel* m = view.model();
  const auto* tree = qobject_cast<const QTreeView*>(&view);
  for (int r = 0; r < m->rowCount(parent); ++r) {
    const QModelIndex index = m->index(r, 0, parent);
    rows.push_back(index);
    if (tree && tree->isExpanded(index)) collectRows(view, index, rows);
  }
}
}  // namespace

QString tableCsv(const QAbstractItemView& view, bool selectedOnly) {
  const QAbstractItemModel* m = view.model();
  if (!m) return {};
  QStringList lines, header;
  for (int c = 0; c < m->columnCount(); ++c) header << csvField(m->headerData(c, Qt::Horizontal).toString());
  lines << header.join(',');
  std::vector<QModelIndex> rows;
  collectRows(view, QModelIndex(), rows);
  const QItemSelectionModel* selection = view.selectionModel();
  const bool onlySelected = selectedOnly && selection && selection->hasSelection();
  for (const QModelIndex& first : rows) {
    if (onlySelected && !selection->isRowSelected(first.row(), first.parent())) continue;
    QStringList fields;
    for (int c = 0; c < m->columnCount(first.parent()); ++c)
      fields << csvField(m->index(first.row(), c, first.parent()).data(Qt::DisplayRole).toString());
    lines << fields.join(',');
  }
  return lines.join('\n') + '\n';
}

void makeTableCopyableAndSortable(QAbstractItemView& view) {
  auto* copy = new QAction(QObject::tr("Copy as CSV"), &view);
  copy->setShortcut(QKeySequence::Copy);
  copy->setShortcutContext(Qt::WidgetWithChildrenShortcut);
  QObject::connect(copy, &QAction::triggered, &view,
                   [&view] { QApplication::clipboard()->setText(tableCsv(view, true)); });
  auto* copyAll = new QAction(QObject::tr("Copy all rows as CSV"), &view);
  QObject::connect(copyAll, &QAction::triggered, &view,
                   [&view] { QApplication::clipboard()->setText(tableCsv(view, false)); });
  view.addAction(copy);
  view.addAction(copyAll);
  view.setContextMenuPolicy(Qt::ActionsContextMenu);
  if (auto* table = qobject_cast<QTableView*>(&view)) table->setSortingEnabled(true);
  if (auto* tree = qobject_cast<QTreeView*>(&view)) tree->setSortingEnabled(true);
}

}  // namespace widgets
