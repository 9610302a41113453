#include "widgets/model_bounds_run.h"

#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrent>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace widgets {

struct ModelBoundsRun::Pass {
  std::shared_ptr<analysis::ModelBounds> bounds;
  double ratio = 0.0;
  quantcore::CancelToken cancel;
  std::mutex mutex;  // guards what the worker hands over below
  std::vector<std::pair<std::size_t, analysis::LayerBound>> arrived;
  std::optional<analysis::ModelBoundsPass> result;
  bool cancelled = false;
  std::string error;
};

ModelBoundsRun::ModelBoundsRun(QObject* parent) : QObject(parent) {
  pool_.setMaxThreadCount(1);
  drainTimer_.setInterval(kDrainIntervalMs);
  connect(&drainTimer_, &QTimer::timeout, this, &ModelBoundsRun::drain);
}

ModelBoundsRun::~ModelBoundsRun() {
  if (pass_) pass_->cancel.request();
  pool_.waitForDone();
}

void ModelBoundsRun::reset(std::shared_ptr<analysis::ModelBounds> bounds) {
  if (pass_) pass_->cancel.request();
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
  const bool runningThis = running_ && pass_->bounds == bounds_ && pass_->ratio == ratio && !pass_->cancel.requested();
  if (ratio == ratio_ && (complete_ || runningThis)) return;
  ratio_ = ratio;
  std::fill(current_.begin(), current_.end(), 0);
  done_ = 0;
  total_ = 0.0;
  complete_.reset();
  if (running_)
    pass_->cancel.request();  // the pass's end starts the next one
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
  drainTimer_.start();
  auto* watcher = new QFutureWatcher<void>(this);
  connect(watcher, &QFutureWatcher<void>::finished, this, [this, watcher, pass] {
    watcher->deleteLater();
    drain();
    running_ = false;
    drainTimer_.stop();
    pass_.reset();
    if (pass->cancelled) ++cancelled_;
    if (pass->result && pass->bounds == bounds_ && pass->ratio == ratio_) {
      complete_ = std::move(pass->result);
      total_ = complete_->total_error_bound;
      Q_EMIT updated();
      Q_EMIT finished();
      return;
    }
    // A failed pass is not retried until the next request; a superseded one is.
    if (pass->error.empty() && bounds_ && !complete_) startPass();
  });
  watcher->setFuture(QtConcurrent::run(&pool_, [pass, hold = hold_] {
    const auto waitForForeground = [&] {
      while (hold->load() > 0 && !pass->cancel.requested()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    };
    try {
      waitForForeground();
      analysis::ModelBoundsPass result =
          pass->bounds->evaluate(pass->ratio, pass->cancel, [&](std::size_t i, const analysis::LayerBound& b) {
            {
              std::lock_guard<std::mutex> lock(pass->mutex);
              pass->arrived.emplace_back(i, b);
            }
            waitForForeground();
          });
      std::lock_guard<std::mutex> lock(pass->mutex);
      pass->result = std::move(result);
    } catch (const quantcore::Cancelled&) {
      std::lock_guard<std::mutex> lock(pass->mutex);
      pass->cancelled = true;
    } catch (const std::exception& e) {
      std::lock_guard<std::mutex> lock(pass->mutex);
      pass->error = e.what();
    }
  }));
}

void ModelBoundsRun::drain() {
  if (!pass_) return;
  std::vector<std::pair<std::size_t, analysis::LayerBound>> arrived;
  {
    std::lock_guard<std::mutex> lock(pass_->mutex);
    arrived.swap(pass_->arrived);
  }
  if (arrived.empty() || pass_->bounds != bounds_ || pass_->ratio != ratio_) return;
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
