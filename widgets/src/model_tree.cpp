#include "widgets/model_tree.h"

#include <QLocale>

#include "quantcore/io/model_spec.h"
#include "widgets/studio_session.h"

namespace widgets {

namespace {
constexpr int kBlockRole = Qt::UserRole;
constexpr int kLinearRole = Qt::UserRole + 1;
}  // namespace

ModelTree::ModelTree(StudioSession& session, QWidget* parent) : QTreeWidget(parent), session_(session) {
  setColumnCount(3);
  setHeaderLabels({tr("layer"), tr("shape [out x in]"), tr("parameters")});
  setUniformRowHeights(true);
  connect(&session_, &StudioSession::modelOpened, this, [this] { rebuild(); });
  connect(&session_, &StudioSession::selectionChanged, this, [this] { showSelection(); });
  connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    if (item && item->data(0, kLinearRole).isValid())
      session_.selectLayer(item->data(0, kBlockRole).toLongLong(), item->data(0, kLinearRole).toString());
  });
}

void ModelTree::rebuild() {
  clear();
  const quantcore::ModelSpec& spec = session_.spec();
  const QLocale locale = QLocale::c();
  const auto linears = quantcore::block_linears(spec);
  auto* root = new QTreeWidgetItem(this, {QString::fromStdString(quantcore::family_name(spec.family) + " (" + spec.model_type + ")"),
                                          QString("%1 blocks, hidden %2").arg(spec.num_layers).arg(spec.hidden_size),
                                          locale.toString(static_cast<qlonglong>(quantcore::parameter_count(spec)))});
  for (int64_t b = 0; b < spec.num_layers; ++b) {
    int64_t blockParams = 0;
    for (const auto& l : linears) blockParams += l.out_features * l.in_features;
    auto* block = new QTreeWidgetItem(root, {QString("block %1").arg(b), QString("%1 linears").arg(linears.size()),
                                             locale.toString(static_cast<qlonglong>(blockParams))});
    for (const auto& l : linears) {
      auto* item = new QTreeWidgetItem(block, {QString::fromStdString(l.name), QString("%1 x %2").arg(l.out_features).arg(l.in_features),
                                               locale.toString(static_cast<qlonglong>(l.out_features * l.in_features))});
      item->setData(0, kBlockRole, static_cast<qlonglong>(b));
      item->setData(0, kLinearRole, QString::fromStdString(l.name));
    }
  }
  root->setExpanded(true);
  if (root->childCount() > 0) root->child(0)->setExpanded(true);
  for (int c = 0; c < 3; ++c) resizeColumnToContents(c);
  showSelection();
}

void ModelTree::showSelection() {
  const LayerId& id = session_.selectedLayer();
  if (!id.valid() || topLevelItemCount() == 0) return;
  QTreeWidgetItem* block = topLevelItem(0)->child(static_cast<int>(id.block));
  if (!block) return;
  for (int i = 0; i < block->childCount(); ++i)
    if (block->child(i)->data(0, kLinearRole).toString().toStdString() == id.linear) {
      const QSignalBlocker blocker(this);
      setCurrentItem(block->child(i));
      block->setExpanded(true);
    }
}

}  // namespace widgets
