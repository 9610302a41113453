#pragma once
// Everything that defines one quantisation run, and its one serialisation: the "settings" of
// summary.json (CLI and Studio alike), the HDF5 dump's settings attributes and the packed
// checkpoint's quantization_config start from settings_json. Torch-free.
#include <nlohmann/json.hpp>
#include <string>

#include "quantcore/calib/calibration_windows.h"
#include "quantcore/methods/method_settings.h"
#include "quantcore/model/compute_target.h"
#include "quantcore/optimize/block_driver.h"

namespace quantcore::quantize {

struct QuantizeSettings {
  explicit QuantizeSettings(methods::MethodSettings m) : method(std::move(m)) {}

  std::string model;  // the model path as given
  std::string calib;  // calibration text; empty when the method needs none
  CalibrationOptions calibration;
  methods::MethodSettings method;
  optimize::ChainPlacement chains = optimize::ChainPlacement::Device;
  ComputeOptions compute;  // the block computation's device and dtype (fp32 masters always)
  // A first pass's directory whose salient channels the masks keep (quantize/reused_masks.h);
  // empty: masks from this model's own statistics.
  std::string reuse_masks;
};

// {"method", "spelling", "parameters": {...}, "model", "calib", "nsamples", "seqlen", "seed",
//  "chains", "device", "dtype", "fused_ops"[, "reuse_masks"]}; calibration fields are null when the
// method needs none.
nlohmann::json settings_json(const QuantizeSettings& settings);

}  // namespace quantcore::quantize
