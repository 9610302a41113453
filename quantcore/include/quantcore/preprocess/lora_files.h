#pragma once
// What a LoRA run writes to disk: the resumable checkpoint, the training log and the adapter in
// PEFT's format (adapter_model.safetensors with base_model.model.<prefix>.lora_A/B.weight,
// adapter_config.json), which HF PEFT loads. Include only from translation units that compute
// with tensors.
#include <ATen/core/Tensor.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantcore/preprocess/lora_state.h"
#include "quantcore/preprocess/lora_training.h"
#include "quantcore/preprocess/training_log.h"

namespace quantcore::preprocess {

struct CheckpointContents {
  int64_t steps_done = 0;
  at::Tensor generator_state;  // undefined when the run has no dropout
};

// `identity` is what a resume must match (settings, text, model shapes), stored as JSON text.
void write_checkpoint(const std::filesystem::path& file, const LoraState& state, const at::Tensor& generator_state,
                      const nlohmann::json& identity);
// Fills `state`'s adapters and moments from `file`; InputError naming the file when it is not a
// checkpoint of `identity` or misses a tensor.
CheckpointContents read_checkpoint(const std::filesystem::path& file, LoraState& state, const nlohmann::json& identity);

void write_peft_adapter(const std::filesystem::path& dir, const LoraState& state, const std::string& base_model);

}  // namespace quantcore::preprocess
