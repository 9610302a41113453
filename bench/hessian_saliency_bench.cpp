// Cost of PB-LLM's Hessian criterion in the weights view: collecting H of one linear over
// calibration windows (a cache miss), re-thresholding at another ratio (a hit), and §0.4's
// factorisations alone at LLaMA-7B input widths. Prints milliseconds.
//   hessian_saliency_bench MODEL TEXT [BLOCK LINEAR NSAMPLES SEQLEN]  (defaults: last block,
//   mlp.down_proj, 128 x 256)
#include <ATen/ATen.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "analysis/hessian_saliency.h"
#include "quantcore/calib/calibration_windows.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/methods/inverse_hessian.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/load_model.h"
#include "quantcore/tokenize/tokenizer.h"

namespace {
double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: hessian_saliency_bench MODEL TEXT [BLOCK LINEAR NSAMPLES SEQLEN]\n");
    return 2;
  }
  quantcore::Checkpoint checkpoint = quantcore::open_checkpoint(argv[1]);
  std::shared_ptr<quantcore::CausalLM> model = quantcore::load_causal_lm(checkpoint, {"cpu", "fp32"});
  std::ifstream in(argv[2], std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  const std::vector<int32_t> ids = quantcore::load_tokenizer(checkpoint.tokenizer_path)->encode(text.str());
  const int64_t block = argc > 3 ? std::atoll(argv[3]) : model->num_blocks() - 1;
  const std::string linear = argc > 4 ? argv[4] : "mlp.down_proj";
  const quantcore::CalibrationOptions options{argc > 5 ? std::atoll(argv[5]) : 128,
                                              argc > 6 ? std::atoll(argv[6]) : 256, 2};
  analysis::HessianSaliency saliency(model, quantcore::calibration_windows(ids, options));
  quantcore::NullProgress progress;
  quantcore::CancelToken cancel;

  auto t0 = std::chrono::steady_clock::now();
  analysis::SalientMarks marks = saliency.marks(block, linear, 0.2, progress, cancel);
  std::printf("block %lld %s [%lld x %lld], %lld x %lld tokens: H, diag U and marks %.1f ms (%lld salient at 0.20)\n",
              static_cast<long long>(block), linear.c_str(), static_cast<long long>(marks.scores->rows),
              static_cast<long long>(marks.scores->cols), static_cast<long long>(options.nsamples),
              static_cast<long long>(options.seqlen), since(t0), static_cast<long long>(marks.count));
  t0 = std::chrono::steady_clock::now();
  marks = saliency.marks(block, linear, 0.1, progress, cancel);
  std::printf("another ratio (cached H and scores): %.1f ms (%lld salient at 0.10)\n", since(t0),
              static_cast<long long>(marks.count));

  for (int64_t m : {4096, 11008}) {
    // The factorisations' cost does not depend on the values: a cheap well-conditioned H.
    const at::Tensor a = at::randn({m, 64});
    const at::Tensor h = a.matmul(a.t()) / 64.0 + at::eye(m);
    t0 = std::chrono::steady_clock::now();
    const quantcore::InverseHessian inv = quantcore::prepare_inverse_hessian(h);
    std::printf("§0.4 on a %lld x %lld H: %.1f ms (U_00 %.4g)\n", static_cast<long long>(m), static_cast<long long>(m),
                since(t0), inv.upper[0][0].item<double>());
  }
}
