#pragma once
#include <filesystem>

#include "quantcore/io/model_spec.h"

namespace quantcore {

// Parses an HF config.json (llama, mistral, qwen2, opt). Accepts the rope base in both
// spellings real checkpoints use: transformers 4.x `rope_theta` / `rope_scaling`, and 5.x
// `rope_parameters {rope_theta, rope_type}`; 10000 when absent. Anything it cannot run
// exactly (unknown model_type, unsupported rope_type, missing fields) is an InputError.
ModelSpec parse_hf_config(const std::filesystem::path& config_json);

}  // namespace quantcore
