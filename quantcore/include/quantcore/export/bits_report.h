#pragma once
// Bits per weight of a quantised model: the spec §7 formulas from the salient column counts, and
// the figure measured on a packed file's bytes. Torch-free.
#include <nlohmann/json.hpp>
#include <vector>

#include "quantcore/io/safetensors.h"
#include "quantcore/pack/bits_accounting.h"
#include "quantcore/pack/packed_format.h"

namespace quantcore::outputs {

// Spec §7 honest accounting of every quantised linear; layers[i] (name = prefix) belongs to
// layers[i] of quantized_weights(spec), salient_counts[i] likewise.
ModelBits formula_model_bits(const std::vector<packed::QuantizedWeight>& layers,
                             const std::vector<int64_t>& salient_counts, int salient_bits, VectorDType vector_dtype);

// {bits_per_weight, paper_bits_per_weight, quantized_weights, total_bits,
//  bits_per_parameter_including_unquantized, layers: [{name, out_features, in_features,
//  salient_columns, bits_per_weight, paper_bits_per_weight}]}.
nlohmann::json model_bits_json(const ModelSpec& spec, const ModelBits& bits);

// The same for spec §7's formulas; salient_counts[i] belongs to layers[i].
nlohmann::json formula_bits(const ModelSpec& spec, const std::vector<packed::QuantizedWeight>& layers,
                            const std::vector<int64_t>& salient_counts, int salient_bits, VectorDType vector_dtype);

// {bits_per_weight, bytes, quantized_weights, layers: [{name, bits_per_weight, data_bytes, header_share_bytes}]}.
nlohmann::json bits_from_bytes(const SafetensorsFile& file, const std::vector<packed::QuantizedWeight>& layers);

}  // namespace quantcore::outputs
