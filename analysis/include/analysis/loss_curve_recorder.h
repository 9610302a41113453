#pragma once
// Every block's loss curve of a PTQ1.61 run, recorded while each event is passed on (the
// quantized dump's loss_curve datasets, docs/hdf5-dump.md). Torch-free.
#include <cstdint>
#include <map>

#include "analysis/dump_data.h"
#include "quantcore/optimize/events.h"

namespace analysis {

// Keeps every block's loss curve while passing each event on to `next`. Steps are counted over
// the whole pass.
class LossCurveRecorder : public quantcore::OptimizationEvents {
public:
  explicit LossCurveRecorder(quantcore::OptimizationEvents& next) : next_(next) {}
  void loss(const quantcore::LossEvent& event) override;
  const std::map<int64_t, LossCurve>& curves() const { return curves_; }

private:
  quantcore::OptimizationEvents& next_;
  std::map<int64_t, LossCurve> curves_;
  int64_t steps_ = 0;
};

}  // namespace analysis
