#pragma once
// Every block linear's eq. (4) bound at the slider's ratio, computed in the background
// (analysis::ModelBounds on a private one-thread pool). One pass at a time: a newer ratio
// cancels the running pass and the latest wins. The pass hands each finished layer to a
// CoalescingBuffer that a GUI timer drains, and it starts no new layer while the
// selected layer's foreground evaluation runs (see holdCounter()).
#include <QObject>
#include <QThreadPool>

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "analysis/model_bounds.h"
#include "widgets/coalescing_buffer.h"

namespace widgets {

class ModelBoundsRun : public QObject {
  Q_OBJECT
public:
  static constexpr int kDrainIntervalMs = 30;

  explicit ModelBoundsRun(QObject* parent = nullptr);
  ~ModelBoundsRun() override;

  // The layers of the current model and statistics (empty without them).
  const analysis::ModelBounds* bounds() const { return bounds_.get(); }
  std::size_t layerCount() const { return rows_.size(); }
  // The ratio the table is being filled for (the latest requested).
  double ratio() const { return ratio_; }
  // Row i holds layer i's latest bound; current(i) says whether it is for ratio().
  const std::vector<analysis::LayerBound>& rows() const { return rows_; }
  bool current(std::size_t i) const { return current_[i] != 0; }
  // Whether row i holds a bound at all (for an earlier ratio when not current).
  bool computed(std::size_t i) const { return computed_[i] != 0; }
  std::size_t layersDone() const { return done_; }
  // Sum of E over the rows done for ratio().
  double totalErrorBound() const { return total_; }
  // The last complete pass, when it is for ratio(); it carries the whole model's bits.
  const std::optional<analysis::ModelBoundsPass>& completePass() const { return complete_; }
  bool complete() const { return complete_.has_value(); }
  bool running() const { return running_; }
  int passesStarted() const { return started_; }
  int passesCancelled() const { return cancelled_; }

  // While the counter is positive the pass waits before its next layer: the session raises it
  // when the selected layer's evaluation is queued and the worker lowers it when it ends.
  const std::shared_ptr<std::atomic<int>>& holdCounter() const { return hold_; }

public Q_SLOTS:
  // New model or statistics (null: none). Forgets the table and the old precomputations.
  void reset(std::shared_ptr<analysis::ModelBounds> bounds);
  // Fills the table for `ratio` in the background.
  void request(double ratio);

Q_SIGNALS:
  void updated();   // rows arrived, coalesced to one signal per drain
  void finished();  // a pass for ratio() completed

private:
  struct Pass;
  using ArrivedBound = std::pair<std::size_t, analysis::LayerBound>;  // layer index, its bound
  void startPass();
  void take(std::vector<ArrivedBound>& arrived);  // a drained batch of the running pass

  std::shared_ptr<analysis::ModelBounds> bounds_;
  std::vector<analysis::LayerBound> rows_;
  std::vector<char> current_, computed_;
  std::size_t done_ = 0;
  double total_ = 0.0;
  double ratio_ = -1.0;
  std::optional<analysis::ModelBoundsPass> complete_;

  std::shared_ptr<Pass> pass_;  // the running pass
  bool running_ = false;
  int started_ = 0, cancelled_ = 0;
  std::shared_ptr<std::atomic<int>> hold_ = std::make_shared<std::atomic<int>>(0);
  QThreadPool pool_;
  CoalescingBuffer<ArrivedBound> arrived_;
};

}  // namespace widgets
