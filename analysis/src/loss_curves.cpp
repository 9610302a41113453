#include "analysis/loss_curves.h"

namespace analysis {

std::map<int64_t, LossCurve> loss_curves(const quantcore::quantize::LossHistory& history) {
  std::map<int64_t, LossCurve> curves;
  for (const auto& [block, events] : history.blocks()) {
    LossCurve& c = curves[block];
    for (const quantcore::quantize::RecordedLoss& r : events) {
      c.step.push_back(r.step);
      c.epoch.push_back(r.event.epoch);
      c.sample.push_back(r.event.step);
      c.mse_fp.push_back(r.event.loss.mse_fp);
      c.mse_q.push_back(r.event.loss.mse_q);
      c.nlc_fp.push_back(r.event.loss.nlc_fp);
      c.nlc_q.push_back(r.event.loss.nlc_q);
      c.total.push_back(r.event.loss.total);
    }
  }
  return curves;
}

}  // namespace analysis
