#pragma once
// The packed PTQ1.61 checkpoint format, version 1 (docs/packed-format.md): one model.safetensors
// holding every quantised linear in its stored form (PackedLinear) and every other tensor as in
// the source checkpoint, tagged in its __metadata__, plus a quantization_config in config.json.
// Torch-free.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "quantcore/io/model_spec.h"
#include "quantcore/io/safetensors.h"
#include "quantcore/io/tensor_view.h"
#include "quantcore/pack/packed_linear.h"

namespace quantcore::packed {

inline constexpr const char* kFormatKey = "quantlens.format";
inline constexpr const char* kFormatName = "ptq161-packed";
inline constexpr const char* kVersionKey = "quantlens.format_version";
inline constexpr int kFormatVersion = 1;
inline constexpr const char* kMethodKey = "quantlens.method";
inline constexpr const char* kVectorDTypeKey = "quantlens.vector_dtype";
inline constexpr const char* kCodeBitsKey = "quantlens.code_bits";
inline constexpr const char* kSalientBitsKey = "quantlens.salient_bits";
inline constexpr const char* kWeightsFile = "model.safetensors";

// The tensors of one quantised linear: "<prefix>.<field>" with prefix = its weight name without
// ".weight", e.g. "model.layers.0.self_attn.q_proj".
inline constexpr const char* kSigns = "signs";
inline constexpr const char* kCodes = "codes";
inline constexpr const char* kSalientColumns = "salient_columns";
inline constexpr const char* kA = "a";
inline constexpr const char* kC = "c";
inline constexpr const char* kR2 = "r2";
inline constexpr const char* kScale = "scale";
inline constexpr const char* kZero = "zero";

// A block linear's weight tensor as the checkpoint names it.
struct QuantizedWeight {
  std::string weight_name;  // e.g. "model.decoder.layers.3.fc1.weight"
  std::string prefix;       // weight_name without ".weight"
  int64_t block = 0;
  std::string linear;  // short name from block_linears(spec), e.g. "fc1"
  int64_t out_features = 0;
  int64_t in_features = 0;
};
// Every block linear of the architecture, block by block in block_linears order.
std::vector<QuantizedWeight> quantized_weights(const ModelSpec& spec);

struct FormatSettings {
  std::string method;  // the registry name of the method that made the file (kMethodKey)
  VectorDType vector_dtype = VectorDType::F16;
  int code_bits = 4;
  int salient_bits = 4;
};

// Writes `file` atomically: the packed linears (keyed by weight name; one for every entry of
// quantized_weights(spec)) and every other expected tensor copied from `source` byte for byte.
void write_packed_weights(const std::filesystem::path& file, const ModelSpec& spec, const WeightSource& source,
                          const std::map<std::string, const PackedLinear*>& linears, const FormatSettings& settings);

// Checks the schema tag and version; InputError naming the file otherwise.
FormatSettings read_format_settings(const SafetensorsFile& file);

// Reads and validates one linear's tensors (present, dtype, shape, column indices); InputError
// naming the file and the tensor otherwise.
PackedLinear read_packed_linear(const SafetensorsFile& file, const QuantizedWeight& weight,
                                const FormatSettings& settings);

}  // namespace quantcore::packed
