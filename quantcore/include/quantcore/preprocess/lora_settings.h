#pragma once
// The settings of restorative-LoRA training (ptq161-spec §6.2; the defaults are the official
// code's, not the paper's text) and their one serialisation. Torch-free.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantcore/io/model_spec.h"

namespace quantcore::preprocess {

// The code's PEFT LoraConfig: r 64, alpha 16 (scaling 0.25), dropout 0.1, and its target modules
// (o_proj is not adapted).
inline const std::vector<std::string>& code_target_modules() {
  static const std::vector<std::string> targets = {"q_proj", "k_proj", "v_proj", "gate_proj", "up_proj", "down_proj"};
  return targets;
}

struct LoraSettings {
  int64_t rank = 64;
  double alpha = 16;
  double dropout = 0.1;
  // Module names matched as PEFT does, by the last component of a linear's name ("q_proj"
  // matches "self_attn.q_proj") or the whole short name. Empty: the code's list, of which a
  // model uses the names it has (OPT: q, k and v).
  std::vector<std::string> targets;
  double scaling() const { return alpha / static_cast<double>(rank); }
};

// HF Trainer's run of the code: batch 1, gradient accumulation 2, AdamW (weight decay 0),
// linear warm-up then cosine decay, gradients clipped to norm 1, seed 42.
struct TrainingSettings {
  int64_t steps = 10000;  // optimiser steps; each takes `accum` sequences
  int64_t accum = 2;
  double lr = 1e-4;
  int64_t warmup_steps = -1;   // -1: the code's 0.05 x steps x accum (1000 of 10,000 steps)
  double max_grad_norm = 1.0;  // 0: no clipping
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 0;
  int64_t max_len = 2048;     // each document truncated to this many tokens (§6.2)
  std::string doc_separator;  // empty: documents are separated by blank lines
  int64_t window = 0;         // > 0: fixed windows of this many tokens instead of documents
  uint64_t seed = 42;
  int64_t checkpoint_every = 100;  // optimiser steps between resumable checkpoints; 0: none

  int64_t warmup() const;
};

// The block linears the adapters go on, in block_linears(spec) order. InputError naming
// `option` for a target that matches none of the model's linears, or a rank above
// min(in, out) of a targeted linear.
std::vector<LinearShape> adapted_linears(const ModelSpec& spec, const LoraSettings& lora,
                                         const std::string& option = "--targets");

// Checks the numbers (InputError naming the option): rank >= 1, alpha > 0, dropout in [0, 1),
// steps and accum >= 1, lr > 0, max_len >= 2.
void check_settings(const LoraSettings& lora, const TrainingSettings& training);

// InputError when a training sequence could exceed the model's context (--max-len, --window).
void check_against_model(const ModelSpec& spec, const TrainingSettings& training);

nlohmann::json settings_json(const LoraSettings& lora, const TrainingSettings& training);

}  // namespace quantcore::preprocess
