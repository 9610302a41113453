#pragma once
// Tables the user can take away: the selected rows (or all rows) of any item view as CSV, on the
// clipboard with Ctrl+C or a context-menu entry, and header clicks sorting by any column.
#include <QString>

class QAbstractItemModel;
class QAbstractItemView;

namespace widgets {

// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break.
QString csvField(QString s);
// The model's rows (all when `selectedOnly` is false or nothing is selected) as RFC 4180 CSV
// with the header row, in the view's current (sorted) order.
QString tableCsv(const QAbstractItemView& view, bool selectedOnly);
// Ctrl+C and a "Copy as CSV" context entry on `view`; sorting by header click where the view
// supports it (QTableView, QTreeView).
void makeTableCopyableAndSortable(QAbstractItemView& view);

}  // namespace widgets
