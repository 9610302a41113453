#include "widgets/model_tree.h"

#include <QHeaderView>
#include <QLocale>

#include <algorithm>

#include "quantcore/io/model_spec.h"
#include "quantcore/pack/bits_accounting.h"
#include "widgets/number_format.h"
#include "widgets/studio_session.h"

namespace widgets {

namespace {
constexpr int kBlockRole = Qt::UserRole;
constexpr int kLinearRole = Qt::UserRole + 1;
}  // namespace

ModelTree::ModelTree(StudioSession& session, QWidget* parent) : QTreeWidget(parent), session_(session) {
  setColumnCount(4);
  // Short headers (their tooltips explain) so that the names keep the width.
  setHeaderLabels({tr("layer"), tr("out×in"), tr("weights"), tr("bits")});
  headerItem()->setToolTip(1, tr("shape of the weight: output features × input features"));
  headerItem()->setToolTip(kBitsColumn, tr("bits per quantised weight of the current run as stored: every mask, "
                                           "bitmap, code and scale counted (spec §7)"));
  headerItem()->setToolTip(2, tr("weights of the layer (or of all layers below)"));
  setUniformRowHeights(true);
  setTextElideMode(Qt::ElideMiddle);
  // The names take the width the numbers leave (elided in the middle, full in the tooltip); the
  // tree never widens the window.
  header()->setStretchLastSection(false);
  header()->setSectionResizeMode(QHeaderView::ResizeToContents);
  header()->setSectionResizeMode(0, QHeaderView::Stretch);
  connect(&session_, &StudioSession::modelOpened, this, [this] { rebuild(); });
  connect(&session_, &StudioSession::selectionChanged, this, [this] { showSelection(); });
  connect(&session_, &StudioSession::quantizedBitsChanged, this, [this] { showBits(); });
  connect(this, &QTreeWidget::currentItemChanged, this, [this](QTreeWidgetItem* item) {
    if (item && item->data(0, kLinearRole).isValid())
      session_.selectLayer(item->data(0, kBlockRole).toLongLong(), item->data(0, kLinearRole).toString());
  });
}

void ModelTree::rebuild() {
  clear();
  const quantcore::ModelSpec& spec = session_.spec();
  const QLocale locale = QLocale::c();
  auto count = [](int64_t n) { return compactCount(double(n)); };
  auto exact = [&locale](int64_t n) { return locale.toString(static_cast<qlonglong>(n)); };
  const auto linears = quantcore::block_linears(spec);
  auto* root = new QTreeWidgetItem(
      this, {QString::fromStdString(quantcore::family_name(spec.family) + " (" + spec.model_type + ")"), QString(),
             count(quantcore::parameter_count(spec))});
  root->setToolTip(0, tr("%1 blocks, hidden size %2").arg(spec.num_layers).arg(spec.hidden_size));
  root->setToolTip(2, tr("%1 parameters").arg(exact(quantcore::parameter_count(spec))));
  for (int64_t b = 0; b < spec.num_layers; ++b) {
    int64_t blockParams = 0;
    for (const auto& l : linears) blockParams += l.out_features * l.in_features;
    auto* block = new QTreeWidgetItem(
        root, {QString("block %1").arg(b), QString("%1 linears").arg(linears.size()), count(blockParams)});
    block->setToolTip(2, tr("%1 weights in the block's linears").arg(exact(blockParams)));
    for (const auto& l : linears) {
      auto* item = new QTreeWidgetItem(
          block, {QString::fromStdString(l.name), QString("%1×%2").arg(l.out_features).arg(l.in_features),
                  count(l.out_features * l.in_features)});
      item->setToolTip(0, QString::fromStdString(l.name));
      item->setToolTip(2, tr("%1 weights").arg(exact(l.out_features * l.in_features)));
      item->setData(0, kBlockRole, static_cast<qlonglong>(b));
      item->setData(0, kLinearRole, QString::fromStdString(l.name));
    }
  }
  root->setExpanded(true);
  if (root->childCount() > 0) root->child(0)->setExpanded(true);
  showBits();
  showSelection();
}

// Layers of ModelBits follow packed::quantized_weights: block by block in block_linears order.
void ModelTree::showBits() {
  if (topLevelItemCount() == 0) return;
  QTreeWidgetItem* root = topLevelItem(0);
  const auto& bits = session_.quantizedBits();
  const size_t perBlock = quantcore::block_linears(session_.spec()).size();
  const bool show = bits && bits->layers.size() == perBlock * static_cast<size_t>(root->childCount());
  auto text = [](double v) { return QString::number(v, 'f', 4); };
  root->setText(kBitsColumn, show ? text(bits->bits_per_weight) : QString());
  root->setToolTip(kBitsColumn, show ? tr("%1 bits per quantised weight as stored (spec §7); %2 by the paper's "
                                          "formula")
                                           .arg(text(bits->bits_per_weight), text(bits->paper_bits_per_weight))
                                     : QString());
  for (int b = 0; b < root->childCount(); ++b) {
    QTreeWidgetItem* block = root->child(b);
    int64_t totalBits = 0, weights = 0;
    for (int j = 0; j < block->childCount(); ++j) {
      const quantcore::LayerBits* layer = show ? &bits->layers[size_t(b) * perBlock + size_t(j)] : nullptr;
      block->child(j)->setText(kBitsColumn, layer ? text(layer->bits_per_weight) : QString());
      block->child(j)->setToolTip(
          kBitsColumn, layer ? tr("%1 bits per weight as stored: %2 payload + %3 mask and vectors (spec §7); %4 as the "
                                  "paper's formula counts them; %5 salient columns of %6")
                                   .arg(text(layer->bits_per_weight), text(layer->payload_bits_per_weight),
                                        text(layer->metadata_bits_per_weight), text(layer->paper.bits_per_weight))
                                   .arg(layer->salient_columns)
                                   .arg(layer->in_features)
                             : QString());
      if (layer) {
        totalBits += layer->total_bits;
        weights += layer->weights;
      }
    }
    block->setText(kBitsColumn, show && weights > 0 ? text(double(totalBits) / double(weights)) : QString());
  }
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
