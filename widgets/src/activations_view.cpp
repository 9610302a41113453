// Activation magnitudes: layers (rows) x input channels (columns) of max|x| or mean|x| from the
// calibration statistics (PTQ1.61 spec §2.1); a click selects the row's linear.
#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QVBoxLayout>

#include "analysis/layer_view.h"
#include "widgets/activation_heatmap.h"
#include "widgets/heatmap_canvas.h"
#include "widgets/studio_session.h"
#include "widgets/views.h"

namespace widgets {

namespace {
class ActivationsView : public QWidget {
public:
  ActivationsView(StudioSession& session, QWidget* parent) : QWidget(parent), session_(session) {
    statistic_ = new QComboBox(this);
    statistic_->setObjectName("activationStatistic");
    statistic_->addItems({tr("max |x|"), tr("mean |x|")});
    auto* log = new QCheckBox(tr("log scale"), this);
    log->setObjectName("activationLogScale");
    log->setChecked(true);
    canvas_ = new HeatmapCanvas(this);
    canvas_->setObjectName("activationsCanvas");
    canvas_->setLogScale(true);
    auto* bar = new QHBoxLayout;
    bar->addWidget(statistic_);
    bar->addWidget(log);
    bar->addStretch();
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(canvas_, 1);

    connect(statistic_, &QComboBox::currentIndexChanged, this, [this] { refresh(); });
    connect(log, &QCheckBox::toggled, canvas_, &HeatmapCanvas::setLogScale);
    connect(&session_, &StudioSession::calibrationFinished, this, [this] { refresh(); });
    connect(&session_, &StudioSession::modelOpened, this, [this] { refresh(); });
    connect(&session_, &StudioSession::selectionChanged, this, [this] { showSelection(); });
    connect(canvas_, &HeatmapCanvas::cellClicked, this, [this](qint64 row, qint64) {
      if (row >= 0 && row < static_cast<qint64>(map_.rows.size()))
        session_.selectLayer(map_.rows[row].first, QString::fromStdString(map_.rows[row].second));
    });
    refresh();
  }

private:
  void refresh() {
    const auto statistic = statistic_->currentIndex() == 1 ? analysis::ActivationStatistic::MeanAbs
                                                           : analysis::ActivationStatistic::MaxAbs;
    map_ = {};
    if (session_.hasModel() && session_.hasStats())
      map_ = analysis::activation_map(session_.spec(), session_.stats(), statistic);
    canvas_->setContent(activationHeatmap(map_, statistic, "calibration",
                                          "Run calibration (panel on the right) to see activation magnitudes."));
    showSelection();
  }

  void showSelection() {
    const LayerId& id = session_.selectedLayer();
    int64_t row = -1;
    for (size_t i = 0; i < map_.rows.size(); ++i)
      if (map_.rows[i].first == id.block && map_.rows[i].second == id.linear) row = static_cast<int64_t>(i);
    canvas_->setSelectedRow(row);
  }

  StudioSession& session_;
  QComboBox* statistic_;
  HeatmapCanvas* canvas_;
  analysis::ActivationMap map_;
};
}  // namespace

QWidget* makeActivationsView(StudioSession& session, QWidget* parent) { return new ActivationsView(session, parent); }

}  // namespace widgets
