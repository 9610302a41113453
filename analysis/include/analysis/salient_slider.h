#pragma once
// The salient-ratio slider's computation (PTQ1.61 spec §2.2, paper eq. (4), spec §7) for one
// selected linear, from cached activation statistics and the loaded weights. Torch-free header.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "analysis/float_matrix.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/io/model_spec.h"
#include "quantcore/methods/ptq161/options.h"

namespace quantcore {
class CausalLM;
}

namespace analysis {

struct SalientSliderResult {
  double ratio = 0.0;
  std::vector<uint8_t> mask;           // [in_features] of the selected linear, 1 = salient column
  int64_t salient_columns = 0;         // sum of mask
  double error_bound = 0.0;            // eq. (4) at the analytic initialisation, s = max|x|
  double model_bits_per_weight = 0.0;  // spec §7 [derived], every block linear masked at `ratio`
  double paper_bits_per_weight = 0.0;  // spec §7 [paper App. A] for the same masks
};

class SalientSlider {
public:
  // Copies the selected weight (float32) and every linear's max|x| statistic once; evaluate()
  // then touches neither the model nor any file. Throws std::out_of_range for an unknown linear.
  SalientSlider(const quantcore::CausalLM& model, const quantcore::ActivationStats& stats, int64_t block,
                const std::string& linear, int salient_bits = quantcore::methods::ptq161::kDefaultSalientBits);
  // The same from plain data: the selected weight [n, m] (signed) and its max|x| statistic [m],
  // and every block linear of the model with its statistic (for the whole model's bits).
  struct Linear {
    quantcore::LinearShape shape;
    std::vector<float> max_abs;
  };
  SalientSlider(const FloatMatrix& weight, const std::vector<float>& statistic,
                const std::vector<Linear>& model_linears,
                int salient_bits = quantcore::methods::ptq161::kDefaultSalientBits);
  ~SalientSlider();
  SalientSlider(SalientSlider&&) noexcept;
  SalientSlider& operator=(SalientSlider&&) noexcept;

  // ratio in [0, 1].
  SalientSliderResult evaluate(double ratio) const;

private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace analysis
