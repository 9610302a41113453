#include "widgets/compare_view.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QPushButton>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

#include "analysis/layer_view.h"
#include "widgets/colour_scale.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/studio_session.h"
#include "widgets/views.h"

namespace widgets {

CompareView::CompareView(StudioSession& session, QWidget* parent) : QWidget(parent), session_(session) {
  left_ = new HeatmapCanvas(this);
  left_->setObjectName("compareLeft");
  right_ = new HeatmapCanvas(this);
  right_->setObjectName("compareRight");
  diff_ = new HeatmapCanvas(this);
  diff_->setObjectName("compareDifference");
  status_ = new QLabel(tr("Open a second model (the button, or --compare MODEL2), or pick a run in the Runs view "
                          "and Compare with original."),
                       this);
  status_->setObjectName("compareStatus");
  status_->setWordWrap(true);
  status_->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);  // long names never widen the window
  auto* log = new QCheckBox(tr("log scale"), this);
  auto* open = new QPushButton(tr("Open second model..."), this);
  open->setObjectName("compareOpen");
  open->setToolTip(tr("an HF directory, a packed checkpoint or a llama2.c .bin of the same architecture"));
  connect(open, &QPushButton::clicked, this, [this] {
    const QString path =
        QFileDialog::getOpenFileName(this, tr("Second model"), {}, tr("Models (*.bin config.json);;All files (*)"));
    if (!path.isEmpty()) openSecondModel(path.endsWith("config.json") ? QFileInfo(path).absolutePath() : path);
  });
  auto* top = new QHBoxLayout;
  top->addWidget(status_, 1);
  top->addWidget(open);
  top->addWidget(log);
  auto* pair = new QHBoxLayout;
  pair->addWidget(left_, 1);
  pair->addWidget(right_, 1);
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(top);
  layout->addLayout(pair, 3);
  layout->addWidget(diff_, 2);

  for (HeatmapCanvas* c : {left_, right_, diff_}) {
    connect(log, &QCheckBox::toggled, c, &HeatmapCanvas::setLogScale);
    connect(c, &HeatmapCanvas::viewChanged, this, [this, c] { follow(c); });
  }
  connect(&session_, &StudioSession::selectionChanged, this, &CompareView::refresh);
  connect(&session_, &StudioSession::modelOpened, this, &CompareView::refresh);
  connect(&session_, &StudioSession::secondModelOpened, this, [this] {
    refresh();
    Q_EMIT secondModelOpened();
  });
  connect(&session_, &StudioSession::secondModelFailed, this, [this](const QString& message) {
    status_->setText(message);
    Q_EMIT secondModelFailed(message);
  });
}

bool CompareView::hasSecondModel() const { return session_.secondModel() != nullptr; }

void CompareView::openSecondModel(const QString& path) {
  status_->setText(tr("Opening %1 ...").arg(path));
  session_.openSecondModel(path);
}

void CompareView::refresh() {
  const LayerId& id = session_.selectedLayer();
  const std::shared_ptr<const quantcore::CausalLM> secondModel = session_.secondModel();
  if (!secondModel || !session_.hasModel() || !id.valid()) return;
  const std::string name = "block " + std::to_string(id.block) + " " + id.linear;
  HeatmapContent a, b, d;
  try {
    a.values = session_.selectedWeightMagnitude();
    b.values = analysis::linear_weight_magnitude(*secondModel, id.block, id.linear);
    d.values = analysis::linear_weight_difference(session_.model(), *secondModel, id.block, id.linear);
  } catch (const std::exception& e) {
    status_->setText(QString::fromStdString(e.what()));
    return Q_EMIT secondModelFailed(QString::fromStdString(e.what()));
  }
  const std::string first = QFileInfo(session_.modelPath()).fileName().toStdString();
  const std::string second = QFileInfo(session_.secondModelPath()).fileName().toStdString();
  a.title = "|W1| of " + name + " (" + first + ")";
  b.title = "|W2| of " + name + " (" + second + ")";
  d.title = "|W1 - W2| of " + name;
  for (HeatmapContent* c : {&a, &b, &d}) c->rowAxis = "output row", c->columnAxis = "input channel";
  ValueRangeScan shared;
  shared.add(a.values.values);
  shared.add(b.values.values);
  double sum = 0, top = 0;
  for (float v : d.values.values) sum += v, top = std::max<double>(top, v);
  left_->setContent(std::move(a));
  right_->setContent(std::move(b));
  diff_->setContent(std::move(d));
  if (!shared.empty()) {
    const ValueRange r = shared.range();
    left_->setValueRange(r.lo, r.hi, r.loPositive);
    right_->setValueRange(r.lo, r.hi, r.loPositive);
  }
  status_->setText(
      tr("%1 vs %2, %3: mean |W1 - W2| %4, max %5 (one colour scale for |W1| and |W2|)")
          .arg(QString::fromStdString(first), QString::fromStdString(second), QString::fromStdString(name))
          .arg(diff_->content().values.values.empty() ? 0.0 : sum / double(diff_->content().values.values.size()), 0,
               'g', 4)
          .arg(top, 0, 'g', 4));
  Q_EMIT comparisonChanged();
}

void CompareView::follow(HeatmapCanvas* source) {
  for (HeatmapCanvas* c : {left_, right_, diff_})
    if (c != source) c->setViewState(source->viewState());
}

QWidget* makeCompareView(StudioSession& session, QWidget* parent) { return new CompareView(session, parent); }

}  // namespace widgets
