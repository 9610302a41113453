#include "widgets/teach_cell_delegate.h"

#include <QPainter>

namespace widgets {

void TeachCellDelegate::paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const {
  constexpr QStyle::State kMarks = QStyle::State_Selected | QStyle::State_HasFocus;
  QStyleOptionViewItem plain(option);
  plain.state &= ~kMarks;
  QStyledItemDelegate::paint(painter, plain, index);
  const bool current = option.state & kMarks, refused = index.data(kTeachRefusedRole).toBool();
  if (!current && !refused) return;
  painter->save();
  painter->setPen(QPen(refused ? QColor(200, 0, 0) : option.palette.color(QPalette::Highlight), refused ? 3 : 2));
  painter->drawRect(QRectF(option.rect).adjusted(1.5, 1.5, -1.5, -1.5));
  painter->restore();
}

}  // namespace widgets
