// Packed PTQ1.61 linear y = W' x on the CPU against OpenBLAS sgemv/sgemm (fp32) and LibTorch's
// dense matmul (fp32, bf16), measured in the same run, with weights rotated past the last-level
// cache so every call streams its weights from memory. Also measures this machine's read
// bandwidth (the physical limit of a memory-bound product) with the same threads.
//
//   packed_gemv_bench                         the table: 5 shapes x batch 1, 4, 16, 64
//   packed_gemv_bench --rows N --cols M --batch B [--json] [--runs R]
//   packed_gemv_bench --path avx2 --no-peers  one CPU path of the packed kernel, no peers
//
// Weights are random (timing does not depend on values); k = floor(0.2 m) + 1 salient columns
// as PTQ1.61's default mask (spec §2.2). OpenBLAS is opened with dlopen (libopenblas.so.0), so
// the peer is OpenBLAS whichever BLAS the system's alternatives select.
#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <dlfcn.h>
#include <immintrin.h>
#include <nlohmann/json.hpp>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <iostream>
#include <vector>

#include "quantcore/kernels/packed_linear.h"
#include "quantcore/kernels/packed_linear_cpu.h"
#include "random_packed_linear.h"

namespace k = quantcore::kernels;

namespace {

using Clock = std::chrono::steady_clock;

// cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc), row-major = 101.
using Sgemm = void (*)(int, int, int, int, int, int, float, const float*, int, const float*, int, float, float*, int);
using Sgemv = void (*)(int, int, int, int, float, const float*, int, const float*, int, float, float*, int);

struct OpenBlas {
  Sgemm sgemm = nullptr;
  Sgemv sgemv = nullptr;
  OpenBlas() {
    void* lib = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!lib) return;
    sgemm = reinterpret_cast<Sgemm>(dlsym(lib, "cblas_sgemm"));
    sgemv = reinterpret_cast<Sgemv>(dlsym(lib, "cblas_sgemv"));
  }
  bool found() const { return sgemm && sgemv; }
};

int64_t last_level_cache_bytes() {
  std::ifstream in("/sys/devices/system/cpu/cpu0/cache/index3/size");
  int64_t kib = 0;
  if (in >> kib) return kib * 1024;
  return 64ll << 20;
}

// Median microseconds per call over `runs` runs; each run makes `calls` calls and `call(i)`
// uses copy i % copies, so consecutive calls never find their weights in cache.
double median_us(int runs, int calls, const std::function<void(int)>& call) {
  call(0);
  std::vector<double> per_call;
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    for (int i = 0; i < calls; ++i) call(r * calls + i);
    per_call.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / calls);
  }
  std::sort(per_call.begin(), per_call.end());
  return per_call[per_call.size() / 2];
}

// GB/s of reading a buffer 4x the last-level cache with all threads (AVX2 loads summed).
double read_bandwidth_gbps() {
  const size_t floats = static_cast<size_t>(4 * last_level_cache_bytes() / 4);
  std::vector<float> buffer(floats, 1.0f);
  double best = 0;
  for (int r = 0; r < 5; ++r) {
    const auto t0 = Clock::now();
    float total = 0;
#pragma omp parallel reduction(+ : total)
    {
      __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
#pragma omp for schedule(static)
      for (int64_t i = 0; i < static_cast<int64_t>(floats); i += 16) {
        acc0 = _mm256_add_ps(acc0, _mm256_loadu_ps(buffer.data() + i));
        acc1 = _mm256_add_ps(acc1, _mm256_loadu_ps(buffer.data() + i + 8));
      }
      alignas(32) float lanes[8];
      _mm256_store_ps(lanes, _mm256_add_ps(acc0, acc1));
      for (float v : lanes) total += v;
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    if (total != float(floats)) std::fprintf(stderr, "bandwidth probe: sum mismatch\n");
    best = std::max(best, double(floats) * 4 / s / 1e9);
  }
  return best;
}

int64_t packed_bytes(const k::PackedOperand& p) {
  return int64_t(4 * (p.signs.size() + p.codes.size() + p.salient_columns.size() + p.binarised_columns.size() +
                      p.r2_binarised.size() + p.a.size() + p.c.size() + p.scale.size() + p.zero.size()));
}

const char* path_name(k::CpuPath path) {
  switch (path) {
    case k::CpuPath::Scalar: return "scalar";
    case k::CpuPath::Avx2: return "avx2";
    case k::CpuPath::Avx512: return "avx512";
    default: return k::cpu_has_avx512() ? "avx512" : k::cpu_has_avx2() ? "avx2" : "scalar";
  }
}

nlohmann::json run_case(int64_t rows, int64_t cols, int64_t batch, int runs, const OpenBlas& blas, double limit,
                        k::CpuPath path, bool peers) {
  const int64_t salient = cols / 5 + 1;
  const int64_t llc = last_level_cache_bytes();
  const auto linear = quantlens_test::random_packed_linear(rows, cols, salient, 1u);
  const k::PackedOperand base = k::make_packed_operand(linear);
  const int64_t bytes = packed_bytes(base);
  const int copies = static_cast<int>(std::max<int64_t>(2, (2 * llc + bytes - 1) / bytes));
  std::vector<k::PackedOperand> packed(static_cast<size_t>(copies), base);
  std::vector<k::PackedLinearView> views;
  for (const auto& p : packed) views.push_back(p.view());

  const std::vector<float> x = quantlens_test::random_inputs(batch * cols, 2u);
  std::vector<float> y(static_cast<size_t>(batch * rows));
  // Calls per run: about 0.2 s of packed work, at least one pass over every copy.
  const auto t0 = Clock::now();
  k::packed_linear_cpu(views[0], x.data(), y.data(), batch, path);
  const double once = std::chrono::duration<double>(Clock::now() - t0).count();
  const int calls = std::max(copies, static_cast<int>(0.2 / std::max(once, 1e-6)));
  const double us_packed = median_us(runs, calls, [&](int i) {
    k::packed_linear_cpu(views[static_cast<size_t>(i % copies)], x.data(), y.data(), batch, path);
  });

  // Dense W' of the same linear for the peers.
  const std::vector<float> dense = quantcore::dequantize(linear);
  const int64_t dense_bytes = rows * cols * 4;
  const int dense_copies = static_cast<int>(std::max<int64_t>(1, (2 * llc + dense_bytes - 1) / dense_bytes));
  std::vector<at::Tensor> weights;
  for (int c = 0; c < dense_copies; ++c)
    weights.push_back(at::from_blob(const_cast<float*>(dense.data()), {rows, cols}, at::kFloat).clone());
  const at::Tensor xt = at::from_blob(const_cast<float*>(x.data()), {batch, cols}, at::kFloat).clone();
  const int dense_calls = std::max(dense_copies, 10);

  nlohmann::json row = {{"rows", rows},
                        {"cols", cols},
                        {"batch", batch},
                        {"salient", salient},
                        {"us_packed", us_packed},
                        {"packed_bytes", bytes},
                        {"gbps_packed", double(bytes) / us_packed / 1e3},
                        {"gbps_read_limit", limit},
                        {"packed_copies", copies},
                        {"threads", omp_get_max_threads()},
                        {"path", path_name(path)}};
  if (!peers) return row;
  if (blas.found()) {
    std::vector<float> out(static_cast<size_t>(batch * rows));
    const double us = median_us(runs, dense_calls, [&](int i) {
      const float* w = weights[static_cast<size_t>(i % dense_copies)].data_ptr<float>();
      if (batch == 1)
        blas.sgemv(101, 111, int(rows), int(cols), 1.0f, w, int(cols), x.data(), 1, 0.0f, out.data(), 1);
      else  // y [batch, rows] = x [batch, cols] . W^T
        blas.sgemm(101, 111, 112, int(batch), int(rows), int(cols), 1.0f, x.data(), int(cols), w, int(cols), 0.0f,
                   out.data(), int(rows));
    });
    row["us_openblas_fp32"] = us;
    row["ratio_vs_openblas_fp32"] = us / us_packed;
    double err = 0, ref = 0;
    for (size_t i = 0; i < out.size(); ++i) {
      err = std::max(err, double(std::fabs(out[i] - y[i])));
      ref = std::max(ref, double(std::fabs(out[i])));
    }
    row["max_abs_diff_vs_openblas"] = err;
    row["max_abs_output"] = ref;
  }
  const double us_torch = median_us(
      runs, dense_calls, [&](int i) { (void)at::linear(xt, weights[static_cast<size_t>(i % dense_copies)]); });
  row["us_torch_fp32"] = us_torch;
  row["ratio_vs_torch_fp32"] = us_torch / us_packed;
  {
    std::vector<at::Tensor> bf16;
    const int bf16_copies = static_cast<int>(std::max<int64_t>(1, (2 * llc + dense_bytes / 2 - 1) / (dense_bytes / 2)));
    for (int c = 0; c < bf16_copies; ++c) bf16.push_back(weights[0].to(at::kBFloat16));
    const at::Tensor xb = xt.to(at::kBFloat16);
    const double us = median_us(runs, std::max(bf16_copies, 3),
                                [&](int i) { (void)at::linear(xb, bf16[static_cast<size_t>(i % bf16_copies)]); });
    row["us_torch_bf16"] = us;
    row["ratio_vs_torch_bf16"] = us / us_packed;
  }
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"packed PTQ1.61 GEMV/GEMM against OpenBLAS and LibTorch dense, same run"};
  int64_t rows = 0, cols = 0, batch = 0;
  int runs = 5;
  bool json = false, no_peers = false;
  std::string path_option = "auto";
  app.add_option("--rows", rows, "output features (one case; with --cols)");
  app.add_option("--cols", cols, "input features");
  app.add_option("--batch", batch, "activation columns (default: 1, 4, 16, 64)");
  app.add_option("--runs", runs, "timed runs per measurement (median reported)")->check(CLI::PositiveNumber);
  app.add_flag("--json", json, "one JSON object per case on stdout");
  app.add_option("--path", path_option, "CPU path of the packed kernel")
      ->check(CLI::IsMember({"auto", "scalar", "avx2", "avx512"}));
  app.add_flag("--no-peers", no_peers, "time the packed kernel only (no OpenBLAS, no LibTorch)");
  CLI11_PARSE(app, argc, argv);

  const k::CpuPath path = path_option == "scalar" ? k::CpuPath::Scalar
                          : path_option == "avx2" ? k::CpuPath::Avx2
                          : path_option == "avx512" ? k::CpuPath::Avx512
                                                    : k::CpuPath::Auto;
  const OpenBlas blas;
  if (!blas.found()) std::cerr << "packed_gemv_bench: libopenblas.so.0 not found; OpenBLAS columns left out\n";
  const double limit = read_bandwidth_gbps();
  std::vector<std::pair<int64_t, int64_t>> shapes = {
      {4096, 4096}, {11008, 4096}, {4096, 11008}, {8192, 28672}, {28672, 8192}};
  if (rows > 0 && cols > 0) shapes = {{rows, cols}};
  std::vector<int64_t> batches = {1, 4, 16, 64};
  if (batch > 0) batches = {batch};
  if (!json)
    std::printf("read bandwidth %.1f GB/s, %d threads, path %s\n%8s %8s %5s %10s %10s %7s %10s %7s %10s %7s %7s %6s\n",
                limit, omp_get_max_threads(), path_name(path), "rows", "cols", "batch", "packed us",
                "sgemm us", "ratio", "torch32 us", "ratio", "bf16 us", "ratio", "GB/s", "share");
  for (const auto& [n, m] : shapes)
    for (int64_t b : batches) {
      const nlohmann::json r = run_case(n, m, b, runs, blas, limit, path, !no_peers);
      if (json) {
        std::cout << r.dump() << std::endl;
        continue;
      }
      std::printf("%8lld %8lld %5lld %10.1f %10.1f %7.2f %10.1f %7.2f %10.1f %7.2f %7.1f %5.0f%%\n", (long long)n,
                  (long long)m, (long long)b, r["us_packed"].get<double>(), r.value("us_openblas_fp32", 0.0),
                  r.value("ratio_vs_openblas_fp32", 0.0), r.value("us_torch_fp32", 0.0),
                  r.value("ratio_vs_torch_fp32", 0.0), r.value("us_torch_bf16", 0.0), r.value("ratio_vs_torch_bf16", 0.0),
                  r["gbps_packed"].get<double>(),
                  100 * r["gbps_packed"].get<double>() / limit);
      std::fflush(stdout);
    }
}
