// Speed of one PTQ1.61 block optimisation (spec §5) on a LLaMA-shaped block with random weights:
// seconds per optimiser step, projected per block (epochs x nsamples steps) and per model, where
// a step's time goes (W' rebuild, forward, the rest = loss + backward + AdamW), and peak host
// memory. The chains are allocated at full size so that memory is what a real run holds.
// --fused on|off|both times the step and the W' rebuild forward + backward of the 7 linears with
// the fused ops (quantcore/kernels/fused), the un-fused ATen reference, or both side by side.
// Prints one JSON object. Device memory is read by the caller (bench/ptq161_block_gpu.sh).
#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <malloc.h>
#include <sys/resource.h>

#include <chrono>
#include <iostream>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "memory_weights.h"
#include "quantcore/calib/activation_stats.h"
#include "quantcore/kernels/fused/abs_stats.h"
#include "quantcore/kernels/fused/w_rebuild.h"
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

namespace ptq = quantcore::methods::ptq161;

// The W' rebuild of every linear of the block, forward and then backward from a fixed grad W',
// with the frozen parts prepared once as training does; seconds per rebuild of all linears.
struct RebuildTimes {
  double forward = 0, backward = 0;
};

RebuildTimes time_rebuild(const quantcore::CausalLM& model, const quantcore::ModelSpec& spec, bool fused, int reps) {
  struct Linear {
    ptq::FrozenBinarization frozen;
    quantcore::kernels::fused::FusedBinarization packed;
    at::Tensor alpha, r1, r2, grad;
  };
  std::vector<Linear> linears;
  for (const quantcore::LinearShape& s : quantcore::block_linears(spec)) {
    at::Tensor w = model.linear_weight(0, s.name).to(at::kFloat);
    at::Tensor mask = at::rand({s.in_features}, w.options()).lt(0.2);  // §2.2's 20 % salient
    at::Tensor high = ptq::quantize_salient(w).dequantized;
    const ptq::BinarizationParams p = ptq::init_binarization(w, mask);
    Linear l;
    if (fused && quantcore::kernels::fused::fused_rebuild_supported(w))
      l.packed = quantcore::kernels::fused::fuse_binarization(w, mask, high, p.mean);
    else
      l.frozen = ptq::freeze_binarization(w, mask, high, p.mean);
    l.alpha = p.alpha.clone().set_requires_grad(true);
    l.r1 = p.r1.clone().set_requires_grad(true);
    l.r2 = p.r2.clone().set_requires_grad(true);
    l.grad = at::randn_like(w);
    linears.push_back(std::move(l));
  }
  RebuildTimes total;
  for (int rep = 0; rep <= reps; ++rep) {  // rep 0 warms the allocator up
    std::vector<at::Tensor> rebuilt;
    auto t0 = Clock::now();
    for (const Linear& l : linears) {
      rebuilt.push_back(l.packed.signs.defined()
                            ? quantcore::kernels::fused::rebuild_weight(l.packed, l.alpha, l.r1, l.r2)
                            : ptq::dequantized_weight(l.frozen, l.alpha, l.r1, l.r2));
      synchronize(rebuilt.back());
    }
    const double forward = seconds_since(t0);
    t0 = Clock::now();
    for (size_t i = 0; i < linears.size(); ++i) {
      rebuilt[i].backward(linears[i].grad);
      synchronize(linears[i].r2.grad());
    }
    const double backward = seconds_since(t0);
    if (rep > 0) {
      total.forward += forward / reps;
      total.backward += backward / reps;
    }
    for (Linear& l : linears)
      for (at::Tensor* t : {&l.alpha, &l.r1, &l.r2}) t->mutable_grad() = at::Tensor();
  }
  return total;
}

// Activation statistics (spec §2.1) of one calibration window through one block: max |x| and
// sum |x| of the four distinct linear inputs (q/k/v, o, gate/up: [L, hidden]; down: [L, mlp]),
// fused or as calibration's ATen reduction; seconds per block.
double time_stats(int64_t seqlen, int64_t hidden, int64_t mlp, bool fused, int reps) {
  std::vector<at::Tensor> inputs;
  for (int64_t width : {hidden, hidden, hidden, mlp}) inputs.push_back(at::randn({1, seqlen, width}));
  double total = 0;
  for (int rep = 0; rep <= reps; ++rep) {
    const auto t0 = Clock::now();
    for (const at::Tensor& x : inputs) {
      if (fused) {
        quantcore::kernels::fused::abs_max_and_sum(x);
      } else {
        at::Tensor a = x.abs().reshape({-1, x.size(-1)});
        std::get<0>(a.max(0)).to(at::kFloat);
        a.sum(0, false, at::kDouble);
      }
    }
    if (rep > 0) total += seconds_since(t0) / reps;
  }
  return total;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"PTQ1.61 block optimisation benchmark (LLaMA-shaped block, random weights)"};
  int64_t hidden = 4096, heads = 32, mlp = 11008, seqlen = 2048, nsamples = 128, steps = 20, warmup = 3;
  int64_t epochs = 20, blocks = 32;
  int rebuild_reps = 3;
  std::string fused = "both";
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
  app.add_option("--fused", fused, "Fused engine ops (on), the ATen reference (off), or both side by side")
      ->check(CLI::IsMember({"on", "off", "both"}))
      ->capture_default_str();
  app.add_option("--rebuild-reps", rebuild_reps, "Timed W' rebuilds (forward + backward)")->capture_default_str();
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

  // Where a step's time goes: a no-grad block forward, and the W' rebuild (below, per path).
  at::Tensor x = data.input.select(0, 0).unsqueeze(0);
  auto t0 = Clock::now();
  {
    at::NoGradGuard no_grad;
    synchronize(model.block_forward(0, x));
    t0 = Clock::now();
    synchronize(model.block_forward(0, x));
  }
  const double forward_seconds = seconds_since(t0);

  std::vector<bool> paths;  // fused_ops per measured path, fused first
  if (fused != "off") paths.push_back(true);
  if (fused != "on") paths.push_back(false);
  nlohmann::json measured = nlohmann::json::object();
  for (const bool on : paths) {
    const RebuildTimes rebuild = time_rebuild(model, spec, on, rebuild_reps);
    const double stats_seconds = compute.device == "cpu" ? time_stats(seqlen, hidden, mlp, on, 10 * rebuild_reps) : 0.0;
    quantcore::CancelToken cancel;
    StepClock clock(warmup, steps, cancel);
    quantcore::NullProgress progress;
    quantcore::methods::ptq161::Ptq161Options options;
    options.epochs = 1 + (warmup + steps) / nsamples;
    options.fused_ops = on;
    try {
      quantcore::methods::ptq161::optimize_block(model, 0, data, stats, options, clock, progress, cancel);
    } catch (const quantcore::Cancelled&) {}
    const double step = clock.seconds_per_step();
    measured[on ? "fused" : "reference"] = {
        {"seconds_per_step", step},
        {"seconds_w_rebuild_forward", rebuild.forward},
        {"seconds_w_rebuild_backward", rebuild.backward},
        {"seconds_w_rebuild_forward_backward", rebuild.forward + rebuild.backward},
        {"seconds_activation_stats_per_block_window", stats_seconds},
        {"projected_seconds_per_block", step * static_cast<double>(epochs * nsamples)},
    };
  }
  const nlohmann::json& first = measured[paths.front() ? "fused" : "reference"];
  const double step = first["seconds_per_step"].get<double>();
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);

  const double per_block = step * static_cast<double>(epochs * nsamples);
  nlohmann::json out = {
      {"shape", {{"hidden", hidden}, {"heads", heads}, {"mlp", mlp}, {"seqlen", seqlen}, {"nsamples", nsamples}}},
      {"device", compute.device},
      {"dtype", compute.dtype},
      {"timed_steps", steps},
      {"seconds_per_step", step},
      {"fused_ops", fused},
      {"seconds_w_rebuild_all_linears", first["seconds_w_rebuild_forward"]},
      {"seconds_block_forward_no_grad", forward_seconds},
      {"projected_seconds_per_block", per_block},
      {"projected_minutes_all_blocks", per_block * static_cast<double>(blocks) / 60.0},
      {"epochs", epochs},
      {"blocks", blocks},
      {"peak_host_memory_bytes", static_cast<int64_t>(usage.ru_maxrss) * 1024},
  };
  for (auto& [path, values] : measured.items()) out[path] = values;
  if (paths.size() == 2) {
    auto ratio = [&](const char* key) {
      return measured["reference"][key].get<double>() / measured["fused"][key].get<double>();
    };
    out["ratio_step_reference_over_fused"] = ratio("seconds_per_step");
    out["ratio_w_rebuild_forward_backward_reference_over_fused"] = ratio("seconds_w_rebuild_forward_backward");
    if (compute.device == "cpu")
      out["ratio_activation_stats_reference_over_fused"] = ratio("seconds_activation_stats_per_block_window");
  }
  std::cout << out.dump(2) << "\n";
  return 0;
}
