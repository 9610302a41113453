#pragma once
// How the teaching view draws a cell of W and x: its colour stays visible when the cell is
// selected or focused (a frame in the highlight colour marks it instead of the style's fill or
// tinted focus panel), so an edit shows as a colour change at once; a refused cell (data
// kTeachRefusedRole true) gets a red frame.
#include <QStyledItemDelegate>

namespace widgets {

inline constexpr int kTeachRefusedRole = Qt::UserRole + 1;

class TeachCellDelegate : public QStyledItemDelegate {
public:
  using QStyledItemDelegate::QStyledItemDelegate;
  void paint(QPainter* painter, const QStyleOptionViewItem& option, const QModelIndex& index) const override;
};

}  // namespace widgets
