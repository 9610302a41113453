// An opened HDF5 analysis dump (docs/hdf5-dump.md): the run's header, a table of every linear
// (shape, salient ratio, bits, eq. (4) bound, relative errors), the activation statistics as
// layers x input channels, the selected linear's saliency map with its structured mask as column
// bands and the top-K weights by magnitude marked, and the loss curves of a quantize dump.
#include <QCheckBox>
#include <QComboBox>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>
#include <QSplitter>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QTextDocument>
#include <QTimer>
#include <QVBoxLayout>

#include <cmath>

#include "analysis/dump_views.h"
#include "widgets/activation_heatmap.h"
#include "widgets/dump_document.h"
#include "widgets/dump_table_model.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/loss_chart.h"
#include "widgets/studio_session.h"
#include "widgets/table_csv.h"
#include "widgets/views.h"

namespace widgets {

namespace {

QString headerText(const QString& path, const analysis::DumpHeader& h) {
  const analysis::DumpSettings& s = h.settings;
  QString text = QObject::tr("<b>%1</b> &middot; %2 %3 dump &middot; <b>%4 bits/weight</b>")
                     .arg(QFileInfo(path).fileName().toHtmlEscaped(), QString::fromStdString(h.method),
                          QString::fromStdString(h.content))
                     .arg(h.bits_per_weight, 0, 'f', 4);
  text += QObject::tr("<br>model %1 (%2, %3 blocks, hidden %4)")
              .arg(QString::fromStdString(h.model).toHtmlEscaped(), QString::fromStdString(h.architecture))
              .arg(h.num_layers)
              .arg(h.hidden_size);
  text += QObject::tr("<br>calibration %1: %2 windows x %3 tokens, seed %4 &middot; ")
              .arg(QString::fromStdString(s.calib).toHtmlEscaped())
              .arg(s.nsamples)
              .arg(s.seqlen)
              .arg(s.seed);
  text += s.mask_statistic == "none" ? QObject::tr("no salient columns (all binarised)")
                                     : QObject::tr("salient ratio %1 by %2 |x|, %3-bit salient columns")
                                           .arg(s.salient_ratio)
                                           .arg(QString::fromStdString(s.mask_statistic))
                                           .arg(s.salient_bits);
  if (h.quantized())
    text += QObject::tr(" &middot; %1 epoch(s), lr alpha %2, lr r %3, %4, loss %5%6")
                .arg(s.epochs)
                .arg(s.lr_alpha)
                .arg(s.lr_r)
                .arg(s.learn ? "learned alpha/r1/r2" : "analytic alpha")
                .arg(QString::fromStdString(s.loss), s.nlc ? " + nlc" : "");
  if (h.quantized())
    text += QObject::tr(
        "<br><i>The learned columns are often above the analytic ones: training minimises each "
        "block's output loss (spec §5.1), not each layer's weight error.</i>");
  return text;
}

class DumpView : public QWidget {
public:
  DumpView(StudioSession& session, QWidget* parent) : QWidget(parent), document_(session.dump()) {
    header_ = new QLabel(tr("No analysis dump. File > Open analysis dump... (written by `quantlens dump` or "
                            "`quantlens quantize --dump`)"),
                         this);
    header_->setObjectName("dumpHeader");
    header_->setTextFormat(Qt::RichText);
    header_->setWordWrap(true);
    header_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Fixed);  // long paths never widen the window
    busy_ = new QWidget(this);                                         // shown while a dump is read
    busy_->setVisible(false);
    progress_ = new QProgressBar(busy_);
    progress_->setObjectName("dumpProgress");
    progress_->setMaximumWidth(200);
    auto* cancel = new QPushButton(tr("Cancel"), busy_);
    cancel->setObjectName("dumpCancel");
    auto* busy = new QHBoxLayout(busy_);
    busy->setContentsMargins(0, 0, 0, 0);
    busy->addWidget(progress_);
    busy->addWidget(cancel);
    busy->addStretch();

    model_ = new DumpTableModel(document_, this);
    table_ = new QTableView(this);
    table_->setObjectName("dumpTable");
    sorted_ = new QSortFilterProxyModel(this);
    sorted_->setSourceModel(model_);
    sorted_->setSortRole(Qt::UserRole);  // the exact values
    table_->setModel(sorted_);
    makeTableCopyableAndSortable(*table_);
    table_->sortByColumn(-1, Qt::AscendingOrder);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->setSelectionMode(QAbstractItemView::SingleSelection);
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->verticalHeader()->setVisible(false);
    table_->verticalHeader()->setDefaultSectionSize(table_->fontMetrics().height() + 4);
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);

    statistic_ = new QComboBox(this);
    statistic_->setObjectName("dumpStatistic");
    statistic_->addItems({tr("max |x|"), tr("mean |x|")});
    auto* activationLog = new QCheckBox(tr("log scale"), this);
    activationLog->setChecked(true);
    activations_ = new HeatmapCanvas(this);
    activations_->setObjectName("dumpActivationsCanvas");
    activations_->setLogScale(true);
    auto* activationBar = new QHBoxLayout;
    activationBar->addWidget(statistic_);
    activationBar->addWidget(activationLog);
    activationBar->addStretch();
    auto* activationPanel = panel(activationBar, activations_);

    markTopK_ = new QCheckBox(tr("mark top-K"), this);
    markTopK_->setChecked(true);
    auto* saliencyLog = new QCheckBox(tr("log scale"), this);
    legend_ = new QLabel(this);
    legend_->setObjectName("dumpSaliencyLegend");
    legend_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    legend_->setWordWrap(true);
    saliency_ = new HeatmapCanvas(this);
    saliency_->setObjectName("dumpSaliencyCanvas");
    auto* saliencyBar = new QHBoxLayout;
    saliencyBar->addWidget(saliencyLog);
    saliencyBar->addWidget(markTopK_);
    saliencyBar->addStretch();
    auto* saliencyPanel = panel(saliencyBar, saliency_);
    static_cast<QVBoxLayout*>(saliencyPanel->layout())->insertWidget(1, legend_);

    allBlocks_ = new QCheckBox(tr("all blocks"), this);
    allBlocks_->setObjectName("dumpLossAllBlocks");
    loss_ = new LossChart(this);
    loss_->setObjectName("dumpLossChart");
    auto* lossBar = new QHBoxLayout;
    lossBar->addWidget(new QLabel(loss_->chart()->title(), this));  // the title as a label: the chart keeps its height
    loss_->chart()->setTitle({});
    lossBar->addWidget(allBlocks_);
    lossBar->addStretch();
    lossPanel_ = panel(lossBar, loss_);
    lossPanel_->setVisible(false);

    // Table and loss curves above, the two heatmaps below.
    upper_ = new QSplitter(Qt::Horizontal, this);
    upper_->addWidget(table_);
    upper_->addWidget(lossPanel_);
    auto* lower = new QSplitter(Qt::Horizontal, this);
    lower->addWidget(activationPanel);
    lower->addWidget(saliencyPanel);
    auto* split = new QSplitter(Qt::Vertical, this);
    split->addWidget(upper_);
    split->addWidget(lower);
    split->setStretchFactor(0, 1);
    split->setStretchFactor(1, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(header_);
    layout->addWidget(busy_);
    layout->addWidget(split, 1);

    poll_ = new QTimer(this);
    poll_->setInterval(100);
    connect(poll_, &QTimer::timeout, this, [this] { showProgress(); });
    connect(cancel, &QPushButton::clicked, &document_, &DumpDocument::cancel);
    connect(&document_, &DumpDocument::opening, this, [this](const QString& path) {
      setHeader(tr("Reading %1 ...").arg(path.toHtmlEscaped()));
      busy_->setVisible(true);
      poll_->start();
    });
    auto ended = [this] {
      poll_->stop();
      busy_->setVisible(false);
    };
    connect(&document_, &DumpDocument::opened, this, [this, ended] {
      ended();
      reload();
    });
    connect(&document_, &DumpDocument::failed, this, [this, ended](const QString& message) {
      ended();
      setHeader(tr("<b>Cannot open the analysis dump:</b> %1").arg(message.toHtmlEscaped()) +
                (document_.isOpen() ? "<br>" + headerText(document_.path(), document_.header()) : QString()));
    });
    connect(&document_, &DumpDocument::cancelled, this, [this, ended] {
      ended();
      setHeader(document_.isOpen() ? headerText(document_.path(), document_.header()) : tr("Reading cancelled."));
    });
    connect(&document_, &DumpDocument::selectionChanged, this, [this] { showSelection(); });
    connect(table_->selectionModel(), &QItemSelectionModel::currentRowChanged, this, [this](const QModelIndex& shown) {
      const auto [block, linear] = model_->linearAt(sorted_->mapToSource(shown).row());
      document_.select(block, linear);
    });
    connect(activations_, &HeatmapCanvas::cellClicked, this, [this](qint64 row, qint64) {
      if (row >= 0 && row < static_cast<qint64>(map_.rows.size())) {
        const auto [block, linear] = model_->linearAt(static_cast<int>(row));
        document_.select(block, linear);
      }
    });
    connect(statistic_, &QComboBox::currentIndexChanged, this, [this] { refreshActivations(); });
    connect(activationLog, &QCheckBox::toggled, activations_, &HeatmapCanvas::setLogScale);
    connect(saliencyLog, &QCheckBox::toggled, saliency_, &HeatmapCanvas::setLogScale);
    connect(markTopK_, &QCheckBox::toggled, this, [this] { refreshOverlay(); });
    connect(allBlocks_, &QCheckBox::toggled, this, [this] { showLossBlock(); });
    if (document_.isOpen()) reload();
  }

private:
  QWidget* panel(QHBoxLayout* bar, QWidget* body) {
    auto* w = new QWidget(this);
    auto* l = new QVBoxLayout(w);
    l->setContentsMargins(0, 0, 0, 0);
    l->addLayout(bar);
    l->addWidget(body, 1);
    return w;
  }

  void showProgress() {
    const JobProgress& p = document_.progress();
    progress_->setRange(0, static_cast<int>(std::max<int64_t>(p.total(), 1)));
    progress_->setValue(static_cast<int>(p.done()));
    progress_->setFormat(tr("block %v / %m"));
  }

  void setHeader(const QString& text) {
    header_->setText(text);
    fitHeader();
  }

  // A wrapped label's height does not follow its width through the tab page's layouts.
  void fitHeader() {
    const QMargins m = layout()->contentsMargins();
    QTextDocument text;
    text.setDefaultFont(header_->font());
    text.setDocumentMargin(0);
    text.setHtml(header_->text());
    text.setTextWidth(std::max(width() - m.left() - m.right(), 200));
    header_->setFixedHeight(int(std::ceil(text.size().height())) + 2);
  }

  void resizeEvent(QResizeEvent* event) override {
    QWidget::resizeEvent(event);
    fitHeader();
  }

  // A dump read while another tab was in front was fitted to the page's size then.
  void showEvent(QShowEvent* event) override {
    QWidget::showEvent(event);
    fitHeader();
  }

  void reload() {
    const analysis::DumpHeader& h = document_.header();
    setHeader(headerText(document_.path(), h));
    model_->reload();
    refreshActivations();
    loss_->reset(h.settings.nsamples, h.settings.epochs);
    if (h.quantized() && !lossPanel_->isVisibleTo(this)) {
      lossPanel_->setVisible(true);
      const int width = std::max(upper_->width(), 2);
      upper_->setSizes({width / 2, width - width / 2});
    }
    if (!h.quantized()) lossPanel_->setVisible(false);
    if (h.quantized())
      for (const analysis::DumpBlock& b : document_.blocks())
        if (b.loss) loss_->append(analysis::loss_events(b.index, *b.loss));
    showSelection();
  }

  void refreshActivations() {
    const auto statistic = statistic_->currentIndex() == 1 ? analysis::ActivationStatistic::MeanAbs
                                                           : analysis::ActivationStatistic::MaxAbs;
    map_ = {};
    if (document_.isOpen()) map_ = analysis::dump_activation_map(document_.blocks(), statistic);
    activations_->setContent(activationHeatmap(map_, statistic, "dump", "Open an analysis dump (File menu)."));
    activations_->setSelectedRow(model_->rowOf(document_.selectedBlock(), document_.selectedLinear()));
  }

  void showSelection() {
    const int row = model_->rowOf(document_.selectedBlock(), document_.selectedLinear());
    const QModelIndex shown = row >= 0 ? sorted_->mapFromSource(model_->index(row, 0)) : QModelIndex();
    if (shown.isValid() && table_->currentIndex().row() != shown.row()) {
      table_->setCurrentIndex(shown);
      table_->scrollTo(shown);
    }
    activations_->setSelectedRow(row);
    HeatmapContent content;
    content.emptyMessage = "Select a linear in the table.";
    if (const analysis::DumpLinear* l = document_.selected()) {
      const analysis::SaliencyMap& m = l->saliency_map;
      content.values = {m.rows, m.cols, m.values};
      content.title = "|W| of block " + std::to_string(document_.selectedBlock()) + " " + l->linear + "  [" +
                      std::to_string(l->out_features) + " x " + std::to_string(l->in_features) + "]";
      if (m.pool_rows > 1 || m.pool_cols > 1)
        content.title += ", max-pooled " + std::to_string(m.pool_rows) + " x " + std::to_string(m.pool_cols);
      content.rowAxis = m.pool_rows > 1 ? "output row / " + std::to_string(m.pool_rows) : "output row";
      content.columnAxis = m.pool_cols > 1 ? "input channel / " + std::to_string(m.pool_cols) : "input channel";
    }
    saliency_->setContent(std::move(content));
    refreshOverlay();
    showLossBlock();
  }

  void refreshOverlay() {
    HeatmapOverlay overlay;
    QString legend;
    if (const analysis::DumpLinear* l = document_.selected()) {
      overlay.columnBands = analysis::pooled_column_mask(l->mask, l->saliency_map);
      overlay.markedCellsName = "cells";  // the dump's saliency map is already pooled
      const analysis::SalientWeights& sw = l->salient_weights;
      if (markTopK_->isChecked()) {
        overlay.markThreshold = document_.markThreshold(document_.selectedBlock(), document_.selectedLinear());
        legend = tr("red: top %1 weights by |W|%2")
                     .arg(sw.count())
                     .arg(sw.count() < sw.requested ? tr(" (of %1)").arg(sw.requested) : QString());
      }
      const std::string& statistic = document_.header().settings.mask_statistic;
      legend += statistic == "none" ? tr("   no salient columns")
                                    : tr("   bands: %1 salient input channels by %2 |x|")
                                          .arg(l->salient_columns)
                                          .arg(QString::fromStdString(statistic));
    }
    saliency_->setOverlay(std::move(overlay));
    legend_->setText(legend);
  }

  void showLossBlock() {
    if (!document_.isOpen() || !document_.header().quantized()) return;
    loss_->showBlock(allBlocks_->isChecked() ? -1 : document_.selectedBlock());
  }

  DumpDocument& document_;
  QLabel* header_;
  QProgressBar* progress_;
  QWidget* busy_;
  QTimer* poll_;
  DumpTableModel* model_;
  QTableView* table_;
  QSortFilterProxyModel* sorted_;
  QComboBox* statistic_;
  HeatmapCanvas* activations_;
  analysis::ActivationMap map_;
  QCheckBox* markTopK_;
  QLabel* legend_;
  HeatmapCanvas* saliency_;
  QCheckBox* allBlocks_;
  LossChart* loss_;
  QWidget* lossPanel_;
  QSplitter* upper_;
};

}  // namespace

QWidget* makeDumpView(StudioSession& session, QWidget* parent) { return new DumpView(session, parent); }

}  // namespace widgets
