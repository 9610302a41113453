#include "lora_args.h"

#include "command_support.h"

#include <algorithm>

namespace quantlens_cli {

void LoraArgs::add_to(CLI::App& sub, bool required) {
  auto* text = sub.add_option("--train-text", train_text,
                              "Training text for restorative LoRA: documents separated by blank lines (or "
                              "--doc-separator), each truncated to --max-len tokens");
  if (required) text->required();
  sub.add_option("--steps", training.steps, "LoRA optimiser steps (each of --accum sequences)")
      ->check(positive_integer())
      ->capture_default_str();
  sub.add_option("--rank", lora.rank, "LoRA rank r")->check(positive_integer())->capture_default_str();
  sub.add_option("--alpha", lora.alpha, "LoRA alpha (the update is scaled by alpha / r)")->capture_default_str();
  sub.add_option("--dropout", lora.dropout, "Dropout on the adapters' inputs")->capture_default_str();
  sub.add_option("--targets", lora.targets,
                 "Adapted modules, by the last part of a linear's name (default: the code's q_proj, k_proj, v_proj, "
                 "gate_proj, up_proj, down_proj; o_proj is not adapted)")
      ->delimiter(',');
  sub.add_option("--lr", training.lr, "Peak learning rate (AdamW, weight decay 0)")->capture_default_str();
  sub.add_option("--warmup-steps", training.warmup_steps,
                 "Linear warm-up steps before the cosine decay (default: the code's 0.05 x steps x accum)");
  sub.add_option("--accum", training.accum, "Sequences per optimiser step (gradient accumulation, batch 1)")
      ->check(positive_integer())
      ->capture_default_str();
  training.max_len = 0;
  sub.add_option("--max-len", training.max_len,
                 "Tokens each document is truncated to (default 2048, capped at the model's context)");
  sub.add_option("--doc-separator", training.doc_separator, "Separator of documents instead of blank lines");
  sub.add_option("--window", training.window, "Train on fixed windows of this many tokens instead of documents");
  sub.add_option("--max-grad-norm", training.max_grad_norm, "Gradient clipping norm (0: none)")->capture_default_str();
  sub.add_option("--train-seed", training.seed, "Seed of the adapters' init, the document order and dropout")
      ->capture_default_str();
  sub.add_option("--checkpoint-every", training.checkpoint_every, "Steps between resumable checkpoints (0: none)")
      ->capture_default_str();
  sub.add_flag("--resume", resume,
               "Continue the unfinished run of this command (its first pass and the LoRA training from its last "
               "checkpoint)");
}

quantcore::preprocess::TrainingSettings LoraArgs::training_for(const quantcore::ModelSpec& spec) const {
  quantcore::preprocess::TrainingSettings t = training;
  if (t.max_len == 0)
    t.max_len = spec.max_position_embeddings > 0 ? std::min<int64_t>(2048, spec.max_position_embeddings) : 2048;
  return t;
}

}  // namespace quantlens_cli
