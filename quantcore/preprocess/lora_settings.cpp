#include "quantcore/preprocess/lora_settings.h"

#include <algorithm>
#include <cmath>

#include "quantcore/io/errors.h"

namespace quantcore::preprocess {

namespace {

bool matches(const std::string& linear, const std::string& target) {
  if (linear == target) return true;
  return linear.size() > target.size() && linear.compare(linear.size() - target.size(), target.size(), target) == 0 &&
         linear[linear.size() - target.size() - 1] == '.';
}

}  // namespace

int64_t TrainingSettings::warmup() const {
  // The code: warmup_steps = 0.05 x train_steps, train_steps = steps x accum (batch 1, one GPU).
  return warmup_steps >= 0 ? warmup_steps : static_cast<int64_t>(std::llround(0.05 * steps * accum));
}

std::vector<LinearShape> adapted_linears(const ModelSpec& spec, const LoraSettings& lora, const std::string& option) {
  const std::vector<LinearShape> linears = block_linears(spec);
  const bool code_default = lora.targets.empty();
  const std::vector<std::string>& targets = code_default ? code_target_modules() : lora.targets;
  std::string names;
  for (const LinearShape& l : linears) names += (names.empty() ? "" : ", ") + l.name;
  std::vector<LinearShape> out;
  for (const LinearShape& l : linears)
    if (std::any_of(targets.begin(), targets.end(), [&](const std::string& t) { return matches(l.name, t); }))
      out.push_back(l);
  if (!code_default)
    for (const std::string& t : targets)
      if (std::none_of(linears.begin(), linears.end(), [&](const LinearShape& l) { return matches(l.name, t); }))
        throw InputError(option, "unknown target module '" + t + "'; this model's block linears are " + names);
  if (out.empty()) throw InputError(option, "no block linear matches the target modules; this model's are " + names);
  for (const LinearShape& l : out)
    if (lora.rank > std::min(l.in_features, l.out_features))
      throw InputError("--rank", std::to_string(lora.rank) + " exceeds min(in, out) = " +
                                     std::to_string(std::min(l.in_features, l.out_features)) + " of " + l.name + " (" +
                                     std::to_string(l.out_features) + " x " + std::to_string(l.in_features) + ")");
  return out;
}

void check_settings(const LoraSettings& lora, const TrainingSettings& t) {
  if (lora.rank < 1) throw InputError("--rank", "must be at least 1");
  if (!(lora.alpha > 0)) throw InputError("--alpha", "must be positive");
  if (!(lora.dropout >= 0 && lora.dropout < 1)) throw InputError("--dropout", "must be in [0, 1)");
  if (t.steps < 1) throw InputError("--steps", "must be at least 1");
  if (t.accum < 1) throw InputError("--accum", "must be at least 1");
  if (!(t.lr > 0)) throw InputError("--lr", "must be positive");
  if (t.warmup_steps > t.steps) throw InputError("--warmup-steps", "exceeds --steps");
  if (t.max_len < 2) throw InputError("--max-len", "must be at least 2 (one prediction)");
  if (t.window == 1 || t.window < 0) throw InputError("--window", "must be at least 2 tokens");
  if (t.checkpoint_every < 0) throw InputError("--checkpoint-every", "must not be negative");
  if (!(t.max_grad_norm >= 0)) throw InputError("--max-grad-norm", "must not be negative");
}

void check_against_model(const ModelSpec& spec, const TrainingSettings& t) {
  const int64_t context = spec.max_position_embeddings;
  if (context <= 0) return;
  const bool windows = t.window > 0;
  const int64_t length = windows ? t.window : t.max_len;
  if (length > context)
    throw InputError(windows ? "--window" : "--max-len",
                     std::to_string(length) + " tokens exceed the model's context of " + std::to_string(context));
}

nlohmann::json settings_json(const LoraSettings& lora, const TrainingSettings& t) {
  return {{"rank", lora.rank},
          {"alpha", lora.alpha},
          {"scaling", lora.scaling()},
          {"dropout", lora.dropout},
          {"targets", lora.targets.empty() ? code_target_modules() : lora.targets},
          {"steps", t.steps},
          {"accum", t.accum},
          {"lr", t.lr},
          {"warmup_steps", t.warmup()},
          {"schedule", "cosine"},
          {"max_grad_norm", t.max_grad_norm},
          {"adam_betas", {t.beta1, t.beta2}},
          {"adam_eps", t.eps},
          {"weight_decay", t.weight_decay},
          {"max_len", t.max_len},
          {"doc_separator", t.doc_separator},
          {"window", t.window},
          {"seed", t.seed},
          {"checkpoint_every", t.checkpoint_every}};
}

}  // namespace quantcore::preprocess
