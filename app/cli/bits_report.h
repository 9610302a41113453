#pragma once
// Bits per weight as JSON: the spec §7 formulas from the salient column counts, and the figure
// measured on a packed file's bytes.
#include <nlohmann/json.hpp>
#include <vector>

#include "quantcore/io/safetensors.h"
#include "quantcore/pack/packed_format.h"

namespace quantlens_cli {

// {bits_per_weight, paper_bits_per_weight, quantized_weights, total_bits,
//  bits_per_parameter_including_unquantized, layers: [...]}; salient_counts[i] belongs to layers[i].
nlohmann::json formula_bits(const quantcore::ModelSpec& spec, const std::vector<quantcore::packed::QuantizedWeight>& layers,
                            const std::vector<int64_t>& salient_counts, int salient_bits,
                            quantcore::VectorDType vector_dtype);

// {bits_per_weight, bytes, quantized_weights, layers: [{name, bits_per_weight, data_bytes, header_share_bytes}]}.
nlohmann::json bits_from_bytes(const quantcore::SafetensorsFile& file,
                               const std::vector<quantcore::packed::QuantizedWeight>& layers);

}  // namespace quantlens_cli
