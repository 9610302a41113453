#pragma once
// The parts of a written model directory every writer shares: config.json and the tokenizer
// files. Torch-free.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "quantcore/io/checkpoint.h"

namespace quantcore::outputs {

// config.json for a written model: the source's (dtype float16, without quantization_config),
// or for a llama2.c import an HF LlamaForCausalLM config (wq/wk are already rotate-half).
nlohmann::json output_config(const Checkpoint& ck);

void copy_tokenizer(const Checkpoint& ck, const std::filesystem::path& dir);

}  // namespace quantcore::outputs
