#pragma once
// The writers of a finished quantisation run (quantize/quantize_job.h): they take the stored
// forms and the settings and fill a (staging) directory. Torch-free header: the CLI and the
// studio share it, so the same run gives the same files (summary.json included) from both.
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "quantcore/io/checkpoint.h"
#include "quantcore/jobs/progress.h"
#include "quantcore/methods/quantized_linear.h"
#include "quantcore/pack/bits_accounting.h"
#include "quantcore/quantize/quantize_job.h"

namespace quantcore::outputs {

using quantize::QuantizeResult;

// Bits of every block linear (packed::quantized_weights(spec) order) as the method declares
// them: {bits_per_weight (as stored), paper_bits_per_weight, quantized_weights, total_bits,
// bits_per_parameter_including_unquantized, layers: [{name, out_features, in_features,
// salient_columns, bits_per_weight, paper_bits_per_weight}]}.
nlohmann::json bits_json(const QuantizeResult& run);
// The same as ModelBits (layers' name, shape, salient columns, weights, total bits, bits per
// weight both ways), for the Studio's model tree.
ModelBits run_model_bits(const QuantizeResult& run);

// --format hf: config.json, model.safetensors (fp16 W' for the block linears, every other
// tensor as in the source), quantization.safetensors (every layer's parameters).
void write_fake_quant_model(const QuantizeResult& run, const std::filesystem::path& dir,
                            const CancelToken& cancel = CancelToken{});

// --format packed: config.json with quantization_config and the packed model.safetensors
// (docs/packed-format.md). Returns the bits per weight measured on the written bytes. InputError
// when the run's method has no packed form.
nlohmann::json write_packed_model(const QuantizeResult& run, const std::filesystem::path& dir,
                                  const CancelToken& cancel = CancelToken{});

// An fp16 HF checkpoint loadable by any HF tool: config.json without quantization_config,
// model.safetensors, the tokenizer files. Every tensor comes from `checkpoint` (a packed
// directory serves its dequantised W'), except the block linears when `quantized` is given: then
// they are its W'. One progress step per tensor; cancellation is checked per tensor.
void write_dense_model(const Checkpoint& checkpoint, const methods::QuantizedModel* quantized,
                       const std::filesystem::path& dir, ProgressSink& progress, const CancelToken& cancel);

// Output formats of a quantised directory: "hf" (fake-quant) and "packed".
enum class OutputFormat { FakeQuantHf, Packed };
// summary.json's "format": "hf", or the method's packed format name.
std::string format_name(const QuantizeResult& run, OutputFormat format);

// summary.json: method, format, model, out, settings (quantize::settings_json), calib_tokens,
// bits, blocks (per-block losses), seconds and peak_host_memory_bytes (the timing fields).
nlohmann::json summary_json(const QuantizeResult& run, OutputFormat format, const std::filesystem::path& dest);

// The whole directory (model files, tokenizer, summary.json, and losses.csv when the method
// optimised: quantize/loss_csv.h) through a staging directory renamed over `dest` (replacing a
// previous one only with `force`). `extra`'s keys are added to summary.json (the Studio's
// perplexity of the run). `fill_more`, when given, adds to the staging directory before the commit
// (`quantize --preprocess` moves the preprocessed model in). Returns the summary written, with
// bits_from_bytes for the packed format.
nlohmann::json write_quantized_directory(
    const QuantizeResult& run, OutputFormat format, const std::filesystem::path& dest, bool force,
    const CancelToken& cancel = CancelToken{}, const nlohmann::json& extra = nlohmann::json::object(),
    const std::function<void(const std::filesystem::path& staging)>& fill_more = {});

}  // namespace quantcore::outputs
