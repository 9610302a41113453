#pragma once
// The adapters of one restorative-LoRA run with their AdamW moments, and the one training step
// (ptq161-spec §6.2). Include only from translation units that compute with tensors.
#include <ATen/core/Generator.h>
#include <ATen/core/Tensor.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/io/model_spec.h"
#include "quantcore/preprocess/lora_settings.h"

namespace quantcore {
class CausalLM;
}

namespace quantcore::preprocess {

// One adapted linear: A [rank, in] and B [out, rank] as float32 masters on the model's device
// (PEFT's init: A Kaiming-uniform with a = sqrt(5), i.e. U(-1/sqrt(in), 1/sqrt(in)); B = 0), and
// their AdamW moments (zeros before the first step).
struct AdaptedLinear {
  int64_t block = 0;
  std::string linear;  // short name, e.g. "self_attn.q_proj"
  std::string prefix;  // the weight's name without ".weight", e.g. "model.layers.0.self_attn.q_proj"
  at::Tensor a, b;
  at::Tensor a_avg, a_avg_sq, b_avg, b_avg_sq;
};

struct LoraState {
  // Fresh adapters on every linear adapted_linears(spec, settings) names, drawn from `seed`.
  LoraState(const ModelSpec& spec, const LoraSettings& settings, c10::Device device, uint64_t seed);

  LoraSettings settings;
  std::vector<AdaptedLinear> linears;
  int64_t steps_done = 0;  // optimiser steps applied

  // Puts every adapter into `model` (which must be of the same spec); dropout is drawn from
  // `dropout` while one is given (training), off otherwise.
  void install(CausalLM& model, const std::optional<at::Generator>& dropout) const;
  // W' + scaling · B A in float32 ([out, in], the base's device).
  at::Tensor merged_weight(const AdaptedLinear& l, const at::Tensor& base) const;
};

// Causal-LM cross-entropy of one sequence (mean over its len-1 predictions, as HF's loss), with
// (weight x loss)'s gradients added to the adapters' .grad(). The backward pass recomputes one
// block at a time from the block inputs kept by a no-grad forward pass (gradient checkpointing
// per block): memory is one block's activations plus one hidden state per block. The dropout
// draws of the recomputation repeat the forward pass's (the generator's state is saved per
// block), so the gradients are those of the loss returned.
double accumulate_sequence_gradients(const CausalLM& model, const std::vector<int32_t>& ids, double weight,
                                     const std::optional<at::Generator>& dropout);

// torch.nn.utils.clip_grad_norm_ over every adapter gradient: returns the total 2-norm before
// clipping; scales the gradients by max_norm / (norm + 1e-6) when that is below 1 (max_norm 0:
// no clipping).
double clip_gradients(LoraState& state, double max_norm);

// One torch.optim.AdamW step (the single-tensor formula) at rate `lr` on every adapter, then
// zeroes the gradients; increments steps_done.
void adamw_step(LoraState& state, const TrainingSettings& settings, double lr);

// The generator dropout draws from: a CPU generator of its own on the CPU, the device's default
// generator elsewhere, seeded with `seed`.
at::Generator dropout_generator(c10::Device device, uint64_t seed);
// The generator's state (under its lock), and putting one back: what the recomputation and the
// checkpoints save and restore.
at::Tensor generator_state(const at::Generator& generator);
void restore_generator(const at::Generator& generator, const at::Tensor& state);

}  // namespace quantcore::preprocess
