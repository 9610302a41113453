#pragma once
// The restorative-LoRA options `preprocess` and `quantize --preprocess` share (ptq161-spec §6.2;
// the defaults are the official code's), and what they select.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "quantcore/preprocess/lora_settings.h"

namespace quantlens_cli {

struct LoraArgs {
  quantcore::preprocess::LoraSettings lora;
  quantcore::preprocess::TrainingSettings training;
  std::string train_text;
  bool resume = false;

  // With `required`, --train-text must be given.
  void add_to(CLI::App& sub, bool required);
  // The training settings for `spec`: --max-len unset means 2048 capped at the model's context.
  quantcore::preprocess::TrainingSettings training_for(const quantcore::ModelSpec& spec) const;
};

}  // namespace quantlens_cli
