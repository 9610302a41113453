#pragma once
// The writers of `quantlens quantize`: they receive the finished run (the model holding W', the
// Ptq161Result, the options) and fill a staging directory.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "command_support.h"
#include "quantcore/optimize/ptq161_pass.h"

namespace quantlens_cli {

struct QuantizeOutcome {
  const LoadedModel& loaded;  // its block linears hold the finalised W'
  const quantcore::Ptq161Result& result;
  const quantcore::Ptq161Options& options;
};

// Spec §7 bits per weight from the salient column counts ("bits" in summary.json).
nlohmann::json formula_bits(const QuantizeOutcome& run);

// --format hf: config.json, model.safetensors (fp16 W' for the block linears, every other
// tensor as in the source), quantization.safetensors (every layer's parameters).
void write_fake_quant_model(const QuantizeOutcome& run, const std::filesystem::path& dir);

// --format packed: config.json with quantization_config and the packed model.safetensors
// (docs/packed-format.md). Returns the bits per weight measured on the written bytes.
nlohmann::json write_packed_model(const QuantizeOutcome& run, const std::filesystem::path& dir);

}  // namespace quantlens_cli
