#include "analysis/loss_curve_recorder.h"

namespace analysis {

void LossCurveRecorder::loss(const quantcore::LossEvent& e) {
  LossCurve& c = curves_[e.block];
  c.step.push_back(steps_++);
  c.epoch.push_back(e.epoch);
  c.sample.push_back(e.step);
  c.mse_fp.push_back(e.loss.mse_fp);
  c.mse_q.push_back(e.loss.mse_q);
  c.nlc_fp.push_back(e.loss.nlc_fp);
  c.nlc_q.push_back(e.loss.nlc_q);
  c.total.push_back(e.loss.total);
  next_.loss(e);
}

}  // namespace analysis
