// Speed of one PTQ1.61 block optimisation (spec §5) on a LLaMA-shaped block with random weights:
// seconds per optimiser step, projected per block (epochs x nsamples steps) and per model, where
// a step's time goes (W' rebuild, forward, the rest = loss + backward + AdamW), and peak host
// memory. The chains are allocated at full size so that memory is what a real run holds.
// Prints one JSON object. Device memory is read by the caller (bench/ptq161_block_gpu.sh).
#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <random>
#include <utility>
#include <vector>

#include "memory_weights.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/methods/ptq161/quantizers.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/methods/ptq161/block_optimizer.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

void synchronize(const at::Tensor& t) {
  if (t.is_cuda()) t.sum().item<float>();  // waits for the queued kernels
}

// Records when each optimiser step ends and stops the run after warmup + steps.
class StepClock : public quantcore::OptimizationEvents {
public:
  StepClock(int64_t warmup, int64_t steps, quantcore::CancelToken& cancel)
      : warmup_(warmup), steps_(steps), cancel_(cancel) {}
  void loss(const quantcore::LossEvent&) override {
    ++seen_;
    if (seen_ == warmup_) start_ = Clock::now();
    if (seen_ == warmup_ + steps_) {
      seconds_ = seconds_since(start_);
      cancel_.request();
    }
  }
  double seconds_per_step() const { return seconds_ / static_cast<double>(steps_); }

private:
  int64_t warmup_, steps_, seen_ = 0;
  quantcore::CancelToken& cancel_;
  Clock::time_point start_;
  double seconds_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"PTQ1.61 block optimisation benchmark (LLaMA-shaped block, random weights)"};
  int64_t hidden = 4096, heads = 32, mlp = 11008, seqlen = 2048, nsamples = 128, steps = 20, warmup = 3;
  int64_t epochs = 20, blocks = 32;
  quantcore::ComputeOptions compute;
  app.add_option("--hidden", hidden)->capture_default_str();
  app.add_option("--heads", heads)->capture_default_str();
  app.add_option("--mlp", mlp)->capture_default_str();
  app.add_option("--seqlen", seqlen)->capture_default_str();
  app.add_option("--nsamples", nsamples)->capture_default_str();
  app.add_option("--steps", steps, "Timed optimiser steps")->capture_default_str();
  app.add_option("--warmup", warmup)->capture_default_str();
  app.add_option("--epochs", epochs, "For the projection")->capture_default_str();
  app.add_option("--blocks", blocks, "For the projection")->capture_default_str();
  app.add_option("--device", compute.device)->capture_default_str();
  app.add_option("--dtype", compute.dtype)->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  // As the CLI does: keep freed activation and weight-sized buffers for reuse instead of returning
  // them to the kernel, whose page faults otherwise dominate CPU steps (measured: ~1 s per fresh
  // 180 MB tensor on the 2-core development VM, 0.03 s reused).
  mallopt(M_MMAP_THRESHOLD, 1 << 30);
  mallopt(M_TRIM_THRESHOLD, 1 << 30);

  quantcore::ModelSpec spec = quantlens_test::tiny_llama_spec(1, 32);
  spec.hidden_size = hidden;
  spec.num_heads = spec.num_kv_heads = heads;
  spec.head_dim = hidden / heads;
  spec.intermediate_size = mlp;
  spec.max_position_embeddings = seqlen;
  const quantlens_test::MemoryWeights weights(spec, 7, 0.02f);
  quantcore::CausalLM model(spec, weights, compute);

  // Chains and per-channel statistics: random, as the timing does not depend on the values.
  const at::TensorOptions chain_options = model.linear_weight(0, quantcore::block_linears(spec).front().name).options();
  at::manual_seed(0);
  quantcore::methods::BlockTrainingData data;
  data.input = at::randn({nsamples, seqlen, hidden}, chain_options);
  data.fp_target = at::randn({nsamples, seqlen, hidden}, chain_options);
  data.quantized_target = at::randn({nsamples, seqlen, hidden}, chain_options);
  quantcore::ActivationStats stats;
  std::mt19937 gen(1);
  std::uniform_real_distribution<float> u(0.f, 1.f);
  for (const quantcore::LinearShape& s : quantcore::block_linears(spec)) {
    quantcore::LinearInputStats& st = stats.linears[{0, s.name}];
    st.max_abs.resize(static_cast<size_t>(s.in_features));
    for (float& v : st.max_abs) v = u(gen);
    st.mean_abs = st.max_abs;
  }

  // Where a step's time goes: the W' rebuild of the 7 linears (frozen parts prepared once, as in
  // training) and a no-grad block forward.
  std::vector<std::pair<quantcore::methods::ptq161::FrozenBinarization, at::Tensor>> frozen;
  for (const quantcore::LinearShape& s : quantcore::block_linears(spec)) {
    at::Tensor w = model.linear_weight(0, s.name).to(at::kFloat);
    at::Tensor mask = at::zeros({s.in_features}, at::kBool).to(w.device());
    at::Tensor mean = w.mean(1, true);
    frozen.emplace_back(quantcore::methods::ptq161::freeze_binarization(w, mask, w, mean), w.abs().mean(1, true));
  }
  auto t0 = Clock::now();
  for (const auto& [f, alpha] : frozen) {
    at::Tensor r1 = at::ones({f.signs.size(0), 1}, f.signs.options());
    at::Tensor r2 = at::ones({1, f.signs.size(1)}, f.signs.options());
    synchronize(quantcore::methods::ptq161::dequantized_weight(f, alpha, r1, r2));
  }
  frozen.clear();
  const double rebuild_seconds = seconds_since(t0);
  at::Tensor x = data.input.select(0, 0).unsqueeze(0);
  {
    at::NoGradGuard no_grad;
    synchronize(model.block_forward(0, x));
    t0 = Clock::now();
    synchronize(model.block_forward(0, x));
  }
  const double forward_seconds = seconds_since(t0);

  quantcore::CancelToken cancel;
  StepClock clock(warmup, steps, cancel);
  quantcore::NullProgress progress;
  quantcore::methods::ptq161::Ptq161Options options;
  options.epochs = 1 + (warmup + steps) / nsamples;
  try {
    quantcore::methods::ptq161::optimize_block(model, 0, data, stats, options, clock, progress, cancel);
  } catch (const quantcore::Cancelled&) {}
  const double step = clock.seconds_per_step();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);

  const double per_block = step * static_cast<double>(epochs * nsamples);
  nlohmann::json out = {
      {"shape", {{"hidden", hidden}, {"heads", heads}, {"mlp", mlp}, {"seqlen", seqlen}, {"nsamples", nsamples}}},
      {"device", compute.device},
      {"dtype", compute.dtype},
      {"timed_steps", steps},
      {"seconds_per_step", step},
      {"seconds_w_rebuild_all_linears", rebuild_seconds},
      {"seconds_block_forward_no_grad", forward_seconds},
      {"projected_seconds_per_block", per_block},
      {"projected_minutes_all_blocks", per_block * static_cast<double>(blocks) / 60.0},
      {"epochs", epochs},
      {"blocks", blocks},
      {"peak_host_memory_bytes", static_cast<int64_t>(usage.ru_maxrss) * 1024},
  };
  std::cout << out.dump(2) << "\n";
  return 0;
}
