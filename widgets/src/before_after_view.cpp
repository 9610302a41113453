// The before/after view (`--preprocessed M_P --view before-after`): the open model M and the
// preprocessed model M_P side by side on one colour scale with their difference, as activation
// maps (max|x| on the calibration windows) or as |W| of the selected linear; pan and zoom move
// all three. Below, the salient-concentration statistic of M_P's preprocess.json per layer:
// before preprocessing, after the first pass and after LoRA (docs/preprocess.md).
#include <QCheckBox>
#include <QComboBox>
#include <QFileDialog>
#include <QPushButton>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>
#include <QtCharts/QLineSeries>
#include <QtCharts/QValueAxis>

#include <cmath>

#include "analysis/layer_view.h"
#include "analysis/salient_concentration.h"
#include "analysis/salient_marks.h"
#include "widgets/chart_export.h"
#include "widgets/activation_heatmap.h"
#include "widgets/colour_scale.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/studio_session.h"
#include "widgets/views.h"

namespace widgets {

namespace {

analysis::FloatMatrix absoluteDifference(const analysis::FloatMatrix& a, const analysis::FloatMatrix& b) {
  analysis::FloatMatrix d{a.rows, a.cols, std::vector<float>(a.values.size())};
  for (size_t i = 0; i < a.values.size() && i < b.values.size(); ++i)
    d.values[i] = std::fabs(a.values[i] - b.values[i]);
  return d;
}

// The chart's figures: the concentration record's per-linear keys.
struct Measure {
  const char* key;
  const char* title;
};
constexpr Measure kMeasures[] = {{"in_mask_hessian", "top-K by Hessian inside the mask"},
                                 {"in_mask_magnitude", "top-K by |w| inside the mask"},
                                 {"top_rows_hessian", "top-K by Hessian in the top 20 % rows"},
                                 {"top_rows_magnitude", "top-K by |w| in the top 20 % rows"}};

class BeforeAfterView : public QWidget {
public:
  BeforeAfterView(StudioSession& session, QWidget* parent) : QWidget(parent), session_(session) {
    before_ = new HeatmapCanvas(this);
    before_->setObjectName("beforeCanvas");
    after_ = new HeatmapCanvas(this);
    after_->setObjectName("afterCanvas");
    diff_ = new HeatmapCanvas(this);
    diff_->setObjectName("beforeAfterDifference");
    status_ = new QLabel(tr("Open a preprocessed model M_P (--preprocessed M_P, written by quantlens preprocess) "
                            "beside the original to see them before and after."),
                         this);
    status_->setObjectName("beforeAfterStatus");
    status_->setWordWrap(true);
    status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    mode_ = new QComboBox(this);
    mode_->setObjectName("beforeAfterMode");
    mode_->addItems({tr("activations max |x|"), tr("weights |W| of the selected linear")});
    measure_ = new QComboBox(this);
    measure_->setObjectName("concentrationMeasure");
    for (const Measure& m : kMeasures) measure_->addItem(tr(m.title));
    auto* log = new QCheckBox(tr("log scale"), this);
    log->setChecked(true);

    chart_ = new QChart;
    chart_->setTitle(tr("Salient concentration per layer"));
    chart_->legend()->setAlignment(Qt::AlignRight);
    auto* chartView = new QChartView(chart_, this);
    chartView->setObjectName("concentrationChart");
    chartView->setRenderHint(QPainter::Antialiasing);

    auto* top = new QHBoxLayout;
    top->addWidget(status_, 1);
    top->addWidget(mode_);
    top->addWidget(log);
    auto* pair = new QHBoxLayout;
    pair->addWidget(before_, 1);
    pair->addWidget(after_, 1);
    pair->addWidget(diff_, 1);
    auto* chartRow = new QHBoxLayout;
    chartRow->addWidget(new QLabel(tr("Concentration:"), this));
    chartRow->addWidget(measure_);
    chartRow->addStretch(1);
    auto* exportChart = new QPushButton(tr("Export chart..."), this);
    exportChart->setObjectName("concentrationExport");
    exportChart->setToolTip(tr("the concentration chart as PNG, SVG or PDF"));
    connect(exportChart, &QPushButton::clicked, this, [this] {
      const QString path = QFileDialog::getSaveFileName(this, tr("Export chart"), "concentration.png",
                                                        tr("Figures (*.png *.svg *.pdf)"));
      QString error;
      if (!path.isEmpty() && !exportChartImage(*chart_, path, error)) status_->setText(error);
    });
    chartRow->addWidget(exportChart);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addLayout(pair, 3);
    layout->addLayout(chartRow);
    layout->addWidget(chartView, 2);

    for (HeatmapCanvas* c : {before_, after_, diff_}) {
      c->setLogScale(true);
      connect(log, &QCheckBox::toggled, c, &HeatmapCanvas::setLogScale);
      connect(c, &HeatmapCanvas::viewChanged, this, [this, c] {
        for (HeatmapCanvas* other : {before_, after_, diff_})
          if (other != c) other->setViewState(c->viewState());
      });
    }
    connect(mode_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { refresh(); });
    connect(&session_, &StudioSession::salientRatioChanged, this, [this] {
      if (mode_->currentIndex() == 1) refresh();
    });
    connect(measure_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { refreshChart(); });
    for (auto signal :
         {&StudioSession::secondModelOpened, &StudioSession::secondStatsReady, &StudioSession::calibrationFinished,
          &StudioSession::selectionChanged, &StudioSession::modelOpened})
      connect(&session_, signal, this, [this] { refresh(); });
    // The chart shows the second model's record: redrawn only when that (or the open model) changes.
    for (auto signal : {&StudioSession::secondModelOpened, &StudioSession::modelOpened})
      connect(&session_, signal, this, [this] { refreshChart(); });
  }

  // Complete once both maps are drawn (or there is nothing to draw them from).
  bool ready() const {
    return !session_.secondModel() || !session_.hasStats() || !session_.secondModelMatches() || drawnActivations_;
  }

protected:
  void showEvent(QShowEvent* event) override {
    QWidget::showEvent(event);
    refresh();
  }

private:
  void refresh() {
    if (!session_.hasModel() || !session_.secondModel()) return;
    if (!session_.secondModelMatches())
      return status_->setText(tr("%1 is not of the open model's shapes: the before/after view compares a model with "
                                 "its preprocessed M_P")
                                  .arg(session_.secondModelPath()));
    const std::string first = session_.modelPath().section('/', -1).toStdString();
    const std::string second = session_.secondModelPath().section('/', -1).toStdString();
    HeatmapContent a, b, d;
    if (mode_->currentIndex() == 0) {
      if (isVisible()) session_.requestSecondStats();
      if (!session_.hasStats() || !session_.secondStats()) {
        status_->setText(session_.hasStats() ? tr("Collecting M_P's activation statistics on the same windows ...")
                                             : tr("Calibrate (the Calibration panel) to compare activations."));
        return;
      }
      const auto stat = analysis::ActivationStatistic::MaxAbs;
      const analysis::ActivationMap ma = analysis::activation_map(session_.spec(), session_.stats(), stat);
      const analysis::ActivationMap mb = analysis::activation_map(session_.spec(), *session_.secondStats(), stat);
      a = activationHeatmap(ma, stat, "before: " + first, "no statistics");
      b = activationHeatmap(mb, stat, "after: " + second, "no statistics");
      d = activationHeatmap(ma, stat, "", "no statistics");
      d.values = absoluteDifference(ma.values, mb.values);
      d.title = "|before - after| of max |x|";
      drawnActivations_ = true;
    } else {
      const LayerId& id = session_.selectedLayer();
      if (!id.valid()) return status_->setText(tr("Select a linear in the model tree."));
      const std::string name = "block " + std::to_string(id.block) + " " + id.linear;
      a.values = session_.selectedWeightMagnitude();
      b.values = analysis::linear_weight_magnitude(*session_.secondModel(), id.block, id.linear);
      d.values = analysis::linear_weight_difference(session_.model(), *session_.secondModel(), id.block, id.linear);
      a.title = "before: |W| of " + name + " (" + first + ")";
      b.title = "after: |W| of " + name + " (" + second + ")";
      d.title = "|W - W_P| of " + name;
      for (HeatmapContent* c : {&a, &b, &d}) c->rowAxis = "output row", c->columnAxis = "input channel";
    }
    ValueRangeScan shared;
    shared.add(a.values.values);
    shared.add(b.values.values);
    // The weights mode marks each model's top-k |W| and its own structured mask (§2.2) at the
    // session's salient ratio, as the weights view does.
    HeatmapOverlay overA, overB;
    if (mode_->currentIndex() == 1) {
      const LayerId& id = session_.selectedLayer();
      const double ratio = session_.salientRatio();
      for (auto [over, values] : {std::pair{&overA, &a.values}, std::pair{&overB, &b.values}}) {
        const analysis::SalientMarks marks = analysis::magnitude_marks(*values, ratio);
        over->markThreshold = marks.threshold;
        over->markScores = marks.scores;
      }
      if (session_.hasStats())
        overA.columnBands = analysis::salient_channel_flags(session_.stats().at(id.block, id.linear).max_abs, ratio);
      if (session_.secondStats())
        overB.columnBands =
            analysis::salient_channel_flags(session_.secondStats()->at(id.block, id.linear).max_abs, ratio);
    }
    before_->setContent(std::move(a));
    after_->setContent(std::move(b));
    diff_->setContent(std::move(d));
    before_->setOverlay(std::move(overA));
    after_->setOverlay(std::move(overB));
    if (!shared.empty()) {
      const ValueRange r = shared.range();
      before_->setValueRange(r.lo, r.hi, r.loPositive);
      after_->setValueRange(r.lo, r.hi, r.loPositive);
    }
    status_->setText(tr("before: %1, after: %2 (one colour scale for both; the third map is their difference)")
                         .arg(QString::fromStdString(first), QString::fromStdString(second)));
  }

  void refreshChart() {
    chart_->removeAllSeries();
    for (QAbstractAxis* axis : chart_->axes()) chart_->removeAxis(axis), delete axis;
    const nlohmann::json& record = session_.preprocessRecord();
    if (session_.secondModel() && !session_.secondModelMatches()) {
      chart_->setTitle(tr("Salient concentration per layer: the second model is not of the open model's shapes"));
      return;
    }
    if (!record.is_object() || !record.value("concentration", nlohmann::json()).is_object()) {
      chart_->setTitle(tr("Salient concentration per layer: the second model has no preprocess.json"));
      return;
    }
    const Measure& m = kMeasures[std::max(0, measure_->currentIndex())];
    chart_->setTitle(tr("Share of the top-K salient weights (%1) per block linear").arg(tr(m.title)));
    const nlohmann::json& c = record["concentration"];
    auto* x = new QValueAxis;
    x->setTitleText(tr("block linear (block-major)"));
    x->setLabelFormat("%d");
    auto* y = new QValueAxis;
    y->setRange(0, 1);
    y->setTitleText(tr("share of top-K"));
    chart_->addAxis(x, Qt::AlignBottom);
    chart_->addAxis(y, Qt::AlignLeft);
    const std::pair<const char*, QColor> stages[] = {
        {"before", QColor(90, 90, 90)}, {"first_pass", QColor(52, 120, 200)}, {"after", QColor(215, 80, 40)}};
    int64_t count = 0;
    for (const auto& [stage, colour] : stages) {
      if (!c.contains(stage)) continue;
      auto* series = new QLineSeries;
      series->setName(stage == std::string("first_pass") ? tr("after the first pass")
                      : stage == std::string("after")    ? tr("after preprocessing (M_P)")
                                                         : tr("before (M)"));
      series->setPen(QPen(colour, 2));
      int64_t i = 0;
      for (const nlohmann::json& l : c[stage]["linears"]) series->append(double(i++), l.value(m.key, 0.0));
      count = std::max(count, i);
      chart_->addSeries(series);
      series->attachAxis(x);
      series->attachAxis(y);
    }
    if (c.contains("before")) {
      auto* chance = new QLineSeries;
      chance->setName(tr("chance (mask width)"));
      QPen pen(QColor(120, 120, 120), 1, Qt::DashLine);
      chance->setPen(pen);
      int64_t i = 0;
      for (const nlohmann::json& l : c["before"]["linears"])
        chance->append(double(i++), std::string(m.key).rfind("in_mask", 0) == 0 ? l.value("chance", 0.0) : 0.2);
      chart_->addSeries(chance);
      chance->attachAxis(x);
      chance->attachAxis(y);
    }
    x->setRange(0, double(std::max<int64_t>(1, count - 1)));
  }

  StudioSession& session_;
  HeatmapCanvas *before_, *after_, *diff_;
  QLabel* status_;
  QComboBox *mode_, *measure_;
  QChart* chart_;
  bool drawnActivations_ = false;
};

}  // namespace

QWidget* makeBeforeAfterView(StudioSession& session, QWidget* parent) { return new BeforeAfterView(session, parent); }

bool beforeAfterViewReady(const QWidget* view) { return static_cast<const BeforeAfterView*>(view)->ready(); }

}  // namespace widgets
