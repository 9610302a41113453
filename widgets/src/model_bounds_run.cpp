#include "widgets/model_bounds_run.h"

#include <chrono>
#include <thread>
#include <utility>

#include "widgets/background_task.h"

namespace widgets {

struct ModelBoundsRun::Pass {
  std::shared_ptr<analysis::ModelBounds> bounds;
  double ratio = 0.0;
  std::shared_ptr<quantcore::CancelToken> cancel = std::make_shared<quantcore::CancelToken>();
};

ModelBoundsRun::ModelBoundsRun(QObject* parent)
    : QObject(parent), arrived_(kDrainIntervalMs, [this](std::vector<ArrivedBound> arrived) { take(arrived); }) {
  pool_.setMaxThreadCount(1);
}

ModelBoundsRun::~ModelBoundsRun() {
  if (pass_) pass_->cancel->request();
  pool_.waitForDone();
}

void ModelBoundsRun::reset(std::shared_ptr<analysis::ModelBounds> bounds) {
  if (pass_) pass_->cancel->request();
  bounds_ = std::move(bounds);
  rows_.clear();
  if (bounds_)
    for (std::size_t i = 0; i < bounds_->layers().size(); ++i) {
      analysis::LayerBound row;
      row.block = bounds_->layer_block(i);
      row.linear = bounds_->layers()[i].name;
      row.out_features = bounds_->layers()[i].out_features;
      row.in_features = bounds_->layers()[i].in_features;
      rows_.push_back(row);
    }
  current_.assign(rows_.size(), 0);
  computed_.assign(rows_.size(), 0);
  done_ = 0;
  total_ = 0.0;
  complete_.reset();
  if (bounds_ && ratio_ >= 0.0 && !running_) startPass();
  Q_EMIT updated();
}

void ModelBoundsRun::request(double ratio) {
  const bool runningThis = running_ && pass_->bounds == bounds_ && pass_->ratio == ratio && !pass_->cancel->requested();
  if (ratio == ratio_ && (complete_ || runningThis)) return;
  ratio_ = ratio;
  std::fill(current_.begin(), current_.end(), 0);
  done_ = 0;
  total_ = 0.0;
  complete_.reset();
  if (running_)
    pass_->cancel->request();  // the pass's end starts the next one
  else if (bounds_)
    startPass();
  Q_EMIT updated();
}

void ModelBoundsRun::startPass() {
  auto pass = std::make_shared<Pass>();
  pass->bounds = bounds_;
  pass->ratio = ratio_;
  pass_ = pass;
  running_ = true;
  ++started_;
  const auto arrived = arrived_.open();
  runInBackground(
      this,
      [pass, arrived, hold = hold_](JobProgress&, const quantcore::CancelToken& cancel) {
        const auto waitForForeground = [&] {
          while (hold->load() > 0 && !cancel.requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        };
        waitForForeground();
        return pass->bounds->evaluate(pass->ratio, cancel, [&](std::size_t i, const analysis::LayerBound& b) {
          arrived->append({i, b});
          waitForForeground();
        });
      },
      [this, pass](TaskResult<analysis::ModelBoundsPass> r) {
        arrived_.close();
        running_ = false;
        pass_.reset();
        if (r.cancelled()) ++cancelled_;
        if (r.hasValue() && pass->bounds == bounds_ && pass->ratio == ratio_) {
          complete_ = std::move(r.value());
          total_ = complete_->total_error_bound;
          Q_EMIT updated();
          Q_EMIT finished();
          return;
        }
        // A failed pass is not retried until the next request; a superseded one is.
        if (!r.failed() && bounds_ && !complete_) startPass();
      },
      {.pool = &pool_, .cancel = pass->cancel});
}

void ModelBoundsRun::take(std::vector<ArrivedBound>& arrived) {
  if (!pass_ || pass_->bounds != bounds_ || pass_->ratio != ratio_) return;
  for (auto& [i, bound] : arrived) {
    if (!current_[i]) {
      current_[i] = 1;
      ++done_;
      total_ += bound.error_bound;
    }
    computed_[i] = 1;
    rows_[i] = std::move(bound);
  }
  Q_EMIT updated();
}

}  // namespace widgets
