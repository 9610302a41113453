// Time of a whole-model pass of the other layers' error bounds (analysis::ModelBounds): every
// block linear's eq. (4) bound at one ratio, from statistics calibrated on a text. The first pass
// builds each linear's precomputation; later ratios reuse them. Prints milliseconds.
//   model_bounds_bench MODEL TEXT [NSAMPLES SEQLEN]     e.g. ../shared/data/house-llama
//                                                       ../shared/data/house-corpus/calib.txt
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "analysis/model_bounds.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/model/load_model.h"
#include "quantcore/tokenize/tokenizer.h"

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: model_bounds_bench MODEL TEXT [NSAMPLES SEQLEN]\n");
    return 2;
  }
  try {
    const quantcore::Checkpoint checkpoint = quantcore::open_checkpoint(argv[1]);
    std::shared_ptr<quantcore::CausalLM> model = quantcore::load_causal_lm(checkpoint, {"cpu", "fp32"});
    std::ifstream in(argv[2], std::ios::binary);
    if (!in) throw std::runtime_error(std::string(argv[2]) + ": cannot open the text");
    std::ostringstream text;
    text << in.rdbuf();
    const std::vector<int32_t> ids = quantcore::load_tokenizer(checkpoint.tokenizer_path)->encode(text.str());
    const quantcore::CalibrationOptions options{argc > 4 ? std::atoll(argv[3]) : 8,
                                                argc > 4 ? std::atoll(argv[4]) : 128, 2};
    quantcore::NullProgress progress;
    quantcore::CancelToken cancel;
    const quantcore::ActivationStats stats =
        quantcore::collect_activation_stats(*model, quantcore::calibration_windows(ids, options), progress, cancel);

    analysis::ModelBounds bounds(model, stats);
    const auto ms_since = [](auto t0) {
      return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    };
    for (double ratio : {0.2, 0.1, 0.3, 0.5, 0.05}) {
      const auto t0 = std::chrono::steady_clock::now();
      const analysis::ModelBoundsPass pass = bounds.evaluate(ratio, cancel);
      std::printf("ratio %.2f: %zu layers, sum of E %.6g, %.4f bits/weight, %.1f ms%s\n", ratio, pass.layers.size(),
                  pass.total_error_bound, pass.model_bits_per_weight, ms_since(t0),
                  ratio == 0.2 ? " (first pass: builds every precomputation)" : "");
    }
    std::printf("layer precomputations built: %lld\n", static_cast<long long>(bounds.layers_built()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "model_bounds_bench: %s\n", e.what());
    return 2;
  }
}
