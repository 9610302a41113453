#pragma once
// The writers of a finished PTQ1.61 run: they receive the model holding W', the Ptq161Result and
// the options, and fill a (staging) directory. Torch-free header: the CLI and the studio share it.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "quantcore/io/checkpoint.h"
#include "quantcore/jobs/progress.h"
#include "quantcore/optimize/ptq161_options.h"
#include "quantcore/pack/bits_accounting.h"

namespace quantcore {
class CausalLM;
struct Ptq161Result;
}  // namespace quantcore

namespace quantcore::outputs {

struct QuantizedRun {
  const Checkpoint& checkpoint;  // the source the run started from
  const CausalLM& model;         // its block linears hold the finalised W'
  const Ptq161Result& result;
  const Ptq161Options& options;
};

// Salient column count of every entry of packed::quantized_weights(spec), in that order.
std::vector<int64_t> salient_counts(const QuantizedRun& run);

// Spec §7 bits per weight from the salient column counts ("bits" in summary.json).
nlohmann::json formula_bits(const QuantizedRun& run);
ModelBits formula_model_bits(const QuantizedRun& run);

// --format hf: config.json, model.safetensors (fp16 W' for the block linears, every other
// tensor as in the source), quantization.safetensors (every layer's parameters).
void write_fake_quant_model(const QuantizedRun& run, const std::filesystem::path& dir,
                            const CancelToken& cancel = CancelToken{});

// --format packed: config.json with quantization_config and the packed model.safetensors
// (docs/packed-format.md). Returns the bits per weight measured on the written bytes.
nlohmann::json write_packed_model(const QuantizedRun& run, const std::filesystem::path& dir,
                                  const CancelToken& cancel = CancelToken{});

// An fp16 HF checkpoint loadable by any HF tool: config.json without quantization_config,
// model.safetensors, the tokenizer files. Every tensor comes from `checkpoint` (a packed
// directory serves its dequantised W'), except the block linears when `quantized` is given: then
// they are its W'. One progress step per tensor; cancellation is checked per tensor.
void write_dense_model(const Checkpoint& checkpoint, const CausalLM* quantized, const std::filesystem::path& dir,
                       ProgressSink& progress, const CancelToken& cancel);

}  // namespace quantcore::outputs
