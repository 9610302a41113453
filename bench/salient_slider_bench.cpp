// Latency of one salient-ratio slider update (mask, eq. (4) bound, whole-model bits) for a
// LLaMA-7B-shaped selected layer, random weights and statistics, side by side with the direct
// evaluation the engine uses (quantcore::methods::ptq161::analytic_error_bound: mask, §3 quantiser and
// §4 binarisation from scratch) on the same layer and ratio. Prints milliseconds and the ratio.
//   salient_slider_bench [OUT IN] [REPEATS]      default 4096 11008 (mlp.down_proj), 5 repeats
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <tuple>
#include <vector>

#include <ATen/ATen.h>
#include <malloc.h>

#include "analysis/salient_slider.h"
#include "quantcore/methods/ptq161/quantizers.h"

int main(int argc, char** argv) {
  // As in the quantlens CLI: freed tensor memory is reused instead of returned to the kernel, so
  // the direct evaluation is not timed on fresh page faults.
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  const int64_t n = argc > 2 ? std::atoll(argv[1]) : 4096, m = argc > 2 ? std::atoll(argv[2]) : 11008;
  const int repeats = argc > 3 ? std::atoi(argv[3]) : 5;
  std::mt19937 rng(0);
  std::normal_distribution<float> normal(0.0f, 0.02f);
  auto stat = [&](int64_t size) {
    std::vector<float> s(static_cast<size_t>(size));
    for (float& v : s) v = std::abs(normal(rng)) * 100.0f;
    return s;
  };
  analysis::FloatMatrix w{n, m, std::vector<float>(static_cast<size_t>(n * m))};
  for (float& v : w.values) v = normal(rng);
  // LLaMA-7B: 32 blocks of q, k, v, o (4096 x 4096), gate, up (11008 x 4096), down (4096 x 11008).
  std::vector<analysis::SalientSlider::Linear> linears;
  for (int b = 0; b < 32; ++b)
    for (const auto& [name, out, in] : std::vector<std::tuple<const char*, int64_t, int64_t>>{{"q", 4096, 4096},
                                                                                              {"k", 4096, 4096},
                                                                                              {"v", 4096, 4096},
                                                                                              {"o", 4096, 4096},
                                                                                              {"gate", 11008, 4096},
                                                                                              {"up", 11008, 4096},
                                                                                              {"down", 4096, 11008}})
      linears.push_back({{name, out, in}, stat(in)});
  const std::vector<float> layerStat = stat(m);
  const analysis::SalientSlider slider(w, layerStat, linears);
  const at::Tensor weight = at::from_blob(w.values.data(), {n, m}, at::kFloat);
  const at::Tensor statistic = at::from_blob(const_cast<float*>(layerStat.data()), {m}, at::kFloat);

  std::vector<double> ms, directMs;
  for (int i = 0; i < repeats; ++i) {
    const double ratio = 0.05 + 0.1 * i;
    const auto t0 = std::chrono::steady_clock::now();
    const analysis::SalientSliderResult r = slider.evaluate(std::min(ratio, 1.0));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    const auto t1 = std::chrono::steady_clock::now();
    const double direct = quantcore::methods::ptq161::analytic_error_bound(weight, statistic, std::min(ratio, 1.0));
    directMs.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t1).count());
    std::printf(
        "ratio %.2f: %lld salient columns, bound %.6g (direct %.6g, rel. diff %.1e), %.4f bits/weight, "
        "%.1f ms (direct %.1f ms)\n",
        r.ratio, static_cast<long long>(r.salient_columns), r.error_bound, direct,
        std::abs(r.error_bound - direct) / direct, r.model_bits_per_weight, ms.back(), directMs.back());
  }
  std::sort(ms.begin(), ms.end());
  std::sort(directMs.begin(), directMs.end());
  const double median = ms[ms.size() / 2], directMedian = directMs[directMs.size() / 2];
  std::printf(
      "slider update %lld x %lld: median %.1f ms over %d updates; direct evaluation median %.1f ms; "
      "%.1fx faster\n",
      static_cast<long long>(n), static_cast<long long>(m), median, repeats, directMedian, directMedian / median);
}
