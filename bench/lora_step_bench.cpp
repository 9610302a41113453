// Restorative-LoRA optimiser steps per second (ptq161-spec §6.2: batch 1, gradient accumulation
// 2, rank 64, alpha 16, dropout 0.1, the code's target modules, per-block recomputation, AdamW)
// on a model directory (bench/write_random_llama makes a LLaMA-shaped one), with random token
// sequences of --seqlen; bench/lora_steps.sh runs it beside its PyTorch eager peer. Prints one
// JSON line: seconds per step after --warmup steps, steps/s, tokens/s, peak resident memory.
#include <ATen/ATen.h>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <random>

#include "quantcore/io/peak_memory.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/preprocess/lora_state.h"
#include "quantcore/quantize/quantize_job.h"

int main(int argc, char** argv) {
  CLI::App app{"LoRA optimiser steps per second"};
  std::string model, device = "cpu", dtype = "fp32";
  int64_t seqlen = 2048, steps = 4, warmup = 1, rank = 64, accum = 2;
  app.add_option("--model", model, "Model directory")->required();
  app.add_option("--seqlen", seqlen, "Tokens per sequence");
  app.add_option("--steps", steps, "Timed optimiser steps");
  app.add_option("--warmup", warmup, "Untimed steps first");
  app.add_option("--rank", rank, "LoRA rank");
  app.add_option("--accum", accum, "Sequences per step");
  app.add_option("--device", device, "cpu or cuda");
  app.add_option("--dtype", dtype, "fp32 or bf16 (float32 masters)");
  CLI11_PARSE(app, argc, argv);

  namespace qp = quantcore::preprocess;
  const quantcore::quantize::OpenModel open = quantcore::quantize::open_model(model, {device, dtype});
  quantcore::CausalLM lm(*open.model);
  qp::LoraSettings lora;
  lora.rank = rank;
  qp::TrainingSettings training;
  training.accum = accum;
  qp::LoraState state(lm.spec(), lora, lm.device(), 42);
  const at::Generator dropout = qp::dropout_generator(lm.device(), 42);
  state.install(lm, dropout);
  std::mt19937_64 engine(1);
  auto sequence = [&] {
    std::vector<int32_t> ids(static_cast<size_t>(seqlen));
    for (int32_t& id : ids) id = static_cast<int32_t>(engine() % static_cast<uint64_t>(lm.spec().vocab_size));
    return ids;
  };
  auto step = [&] {
    for (int64_t m = 0; m < accum; ++m) qp::accumulate_sequence_gradients(lm, sequence(), 1.0 / double(accum), dropout);
    qp::clip_gradients(state, training.max_grad_norm);
    qp::adamw_step(state, training, training.lr);
  };
  for (int64_t i = 0; i < warmup; ++i) step();
  if (lm.device().is_cuda()) at::empty({1}, at::TensorOptions().device(lm.device())).cpu();  // sync
  const auto t0 = std::chrono::steady_clock::now();
  for (int64_t i = 0; i < steps; ++i) step();
  if (lm.device().is_cuda()) at::empty({1}, at::TensorOptions().device(lm.device())).cpu();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / double(steps);
  int64_t adapter = 0;
  for (const qp::AdaptedLinear& l : state.linears) adapter += l.a.numel() + l.b.numel();
  const nlohmann::json out = {{"impl", "quantlens"},
                              {"seconds_per_step", seconds},
                              {"steps_per_second", 1.0 / seconds},
                              {"tokens_per_second", double(seqlen * accum) / seconds},
                              {"seqlen", seqlen},
                              {"accum", accum},
                              {"rank", rank},
                              {"layers", lm.spec().num_layers},
                              {"hidden", lm.spec().hidden_size},
                              {"adapter_parameters", adapter},
                              {"device", device},
                              {"dtype", dtype},
                              {"peak_rss_bytes", quantcore::peak_rss_bytes()}};
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
