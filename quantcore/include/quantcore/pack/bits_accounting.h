#pragma once
// Bit-width accounting for PTQ1.61-quantized linears (spec §7). Torch-free.
//
// Two figures per layer, side by side:
//  - "derived" (honest storage, spec §7 [derived]): every stored bit divided by the number of weights;
//  - "paper" (App. A arithmetic as spec §7 reproduces it): overheads divided by the layer's
//    weight *bits*, not by its weights, which understates them slightly.
#include <cstdint>
#include <string>
#include <vector>

#include "quantcore/io/model_spec.h"
#include "quantcore/io/safetensors.h"

namespace quantcore {

// Storage widths. Spec §7: salient weights at 4 bits, vectors at 16 bits, zero-points fit in 4 bits.
struct BitsOptions {
  int64_t salient_bits = 4;      // b: bits per salient weight
  int64_t vector_bits = 16;      // v: a[n], c[n], r2[m], s[n]
  int64_t zero_point_bits = -1;  // z[n]; negative means "same as salient_bits"
};

// One quantized linear W[n = out_features, m = in_features] with k salient input columns.
struct QuantizedLinear {
  LinearShape shape;
  int64_t salient_columns = 0;  // k, 0 <= k <= in_features
};

// Spec §7 [paper App. A]: b = 1·r_b + b_salient·(1−r_b) + b_index + b_additional, overheads over bits.
struct PaperLayerBits {
  double binarised_fraction = 0.0;  // r_b = (m−k)/m
  double weight_bits = 0.0;         // 1·r_b + b·(1−r_b)
  double overall_bits = 0.0;        // n·m·weight_bits (the paper's denominator)
  double index_bits = 0.0;          // b_index = m / overall_bits
  double additional_bits = 0.0;     // b_additional = (3·vectors·v + (1−r_b)·n·v) / overall_bits
  double bits_per_weight = 0.0;     // weight_bits + index_bits + additional_bits
};

// Spec §7 [derived]: payload (m−k)·n·1 + k·n·b; metadata m mask bits + {a[n], c[n], r2[m]} at v
// + s[n] at v + z[n] at zero-point bits.
struct LayerBits {
  std::string name;
  int64_t out_features = 0;     // n
  int64_t in_features = 0;      // m
  int64_t salient_columns = 0;  // k
  int64_t weights = 0;          // n·m
  int64_t payload_bits = 0;
  int64_t mask_bits = 0;
  int64_t vector_bits = 0;    // a, c, r2, s, z together
  int64_t metadata_bits = 0;  // mask_bits + vector_bits
  int64_t total_bits = 0;     // payload_bits + metadata_bits
  double payload_bits_per_weight = 0.0;
  double metadata_bits_per_weight = 0.0;
  double bits_per_weight = 0.0;  // total_bits / weights
  PaperLayerBits paper;
};

// An unquantized tensor kept at its stored width (embeddings, norms, head, biases).
struct UnquantizedTensor {
  std::string name;
  int64_t elements = 0;
  int64_t stored_bits = 16;  // per element
};

// Sum over the quantized linears; bits per weight counts quantized weights only.
struct ModelBits {
  std::vector<LayerBits> layers;
  int64_t quantized_weights = 0;
  int64_t payload_bits = 0;
  int64_t metadata_bits = 0;
  int64_t total_bits = 0;
  double bits_per_weight = 0.0;  // total_bits / quantized_weights
  // The paper's per-layer figure averaged over layers, weighted by weights.
  double paper_bits_per_weight = 0.0;
};

// Whole model including the unquantized tensors at their stored bits.
struct AllParametersBits {
  int64_t quantized_weights = 0;
  int64_t quantized_bits = 0;
  int64_t unquantized_parameters = 0;
  int64_t unquantized_bits = 0;
  int64_t total_parameters = 0;
  int64_t total_bits = 0;
  double bits_per_parameter_including_unquantized = 0.0;  // total_bits / total_parameters
};

// Throws std::invalid_argument for non-positive shapes or widths, or k outside [0, m].
LayerBits layer_bits(const QuantizedLinear& linear, const BitsOptions& options = {});
PaperLayerBits paper_layer_bits(const QuantizedLinear& linear, const BitsOptions& options = {});
ModelBits model_bits(const std::vector<QuantizedLinear>& linears, const BitsOptions& options = {});
AllParametersBits all_parameters_bits(const ModelBits& quantized, const std::vector<UnquantizedTensor>& unquantized);

// Every tensor of the architecture except the block linears' weights, at stored_bits each.
std::vector<UnquantizedTensor> unquantized_tensors(const ModelSpec& spec, int64_t stored_bits);

// Bits per weight measured on a written file: a quantised layer's bytes are the data bytes of
// its tensors ("<prefix>.*") plus its share of everything before the data buffer (8-byte length
// + JSON header), split evenly over the file's tensors.
struct LayerBytes {
  std::string name;  // prefix
  int64_t weights = 0;
  int64_t tensors = 0;
  int64_t data_bytes = 0;
  double header_share_bytes = 0.0;
  double bits_per_weight = 0.0;  // 8 (data_bytes + header_share_bytes) / weights
};

struct ModelBytes {
  std::vector<LayerBytes> layers;
  int64_t quantized_weights = 0;
  double bytes = 0.0;            // all layers' data + header shares
  double bits_per_weight = 0.0;  // 8 bytes / quantized_weights
};

// `layers`: (prefix, weight count) of each quantised linear. Throws std::invalid_argument when a
// layer has no tensor in the file.
ModelBytes bits_from_bytes(const SafetensorsFile& file, const std::vector<std::pair<std::string, int64_t>>& layers);

}  // namespace quantcore
