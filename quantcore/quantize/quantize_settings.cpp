#include "quantcore/quantize/quantize_settings.h"

#include "quantcore/methods/quant_method.h"

namespace quantcore::quantize {

nlohmann::json settings_json(const QuantizeSettings& s) {
  const bool calibrated = s.method.method().needs(s.method).calibration;
  nlohmann::json j = {{"method", std::string(s.method.method_name())},
                      {"spelling", s.method.spelling()},
                      {"parameters", s.method.to_json()},
                      {"model", s.model},
                      {"calib", nullptr},
                      {"nsamples", nullptr},
                      {"seqlen", nullptr},
                      {"seed", nullptr},
                      {"chains", optimize::chain_placement_name(s.chains)},
                      {"device", s.compute.device},
                      {"dtype", s.compute.dtype},
                      {"fused_ops", s.compute.fused_ops}};
  if (calibrated) {
    j["calib"] = s.calib;
    j["nsamples"] = s.calibration.nsamples;
    j["seqlen"] = s.calibration.seqlen;
    j["seed"] = s.calibration.seed;
  }
  if (!s.reuse_masks.empty()) j["reuse_masks"] = s.reuse_masks;
  return j;
}

}  // namespace quantcore::quantize
