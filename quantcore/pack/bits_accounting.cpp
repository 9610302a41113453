// Bit-width accounting, spec §7. See bits_accounting.h for the two formulas.
#include "quantcore/pack/bits_accounting.h"

#include <stdexcept>
#include <unordered_set>

namespace quantcore {
namespace {

void check_options(const BitsOptions& o) {
  if (o.salient_bits <= 0) throw std::invalid_argument("bits accounting: salient_bits must be positive");
  if (o.vector_bits <= 0) throw std::invalid_argument("bits accounting: vector_bits must be positive");
}

void check_linear(const QuantizedLinear& l) {
  const auto& s = l.shape;
  if (s.out_features <= 0 || s.in_features <= 0)
    throw std::invalid_argument("bits accounting: " + s.name + " has a non-positive shape");
  if (l.salient_columns < 0 || l.salient_columns > s.in_features)
    throw std::invalid_argument("bits accounting: " + s.name + " has salient columns outside [0, in_features]");
}

int64_t zero_point_bits(const BitsOptions& o) { return o.zero_point_bits < 0 ? o.salient_bits : o.zero_point_bits; }

}  // namespace

PaperLayerBits paper_layer_bits(const QuantizedLinear& linear, const BitsOptions& options) {
  check_options(options);
  check_linear(linear);
  const double n = static_cast<double>(linear.shape.out_features);
  const double m = static_cast<double>(linear.shape.in_features);
  const double v = static_cast<double>(options.vector_bits);
  PaperLayerBits p;
  // Spec §7 [paper App. A]: r_b is the binarised fraction, the rest is stored at b_salient bits.
  p.binarised_fraction = (m - static_cast<double>(linear.salient_columns)) / m;
  const double salient_fraction = 1.0 - p.binarised_fraction;
  p.weight_bits = 1.0 * p.binarised_fraction + static_cast<double>(options.salient_bits) * salient_fraction;
  p.overall_bits = n * m * p.weight_bits;
  // The paper divides the overheads by overall *bits*, not by weights (spec §7).
  p.index_bits = m / p.overall_bits;  // one mask bit per input column
  // "3 low-dimensional scaling factors and a part of zero-points": for 4096² the paper writes
  // 3·4096·16 + 0.2·4096·16; we take the three vectors as a[n], c[n], r2[m].
  p.additional_bits = ((2.0 * n + m) * v + salient_fraction * n * v) / p.overall_bits;
  p.bits_per_weight = p.weight_bits + p.index_bits + p.additional_bits;
  return p;
}

LayerBits layer_bits(const QuantizedLinear& linear, const BitsOptions& options) {
  check_options(options);
  check_linear(linear);
  const int64_t n = linear.shape.out_features;
  const int64_t m = linear.shape.in_features;
  const int64_t k = linear.salient_columns;
  LayerBits r;
  r.name = linear.shape.name;
  r.out_features = n;
  r.in_features = m;
  r.salient_columns = k;
  r.weights = n * m;
  // Spec §7 [derived]: binarised columns at 1 bit, salient columns at b bits.
  r.payload_bits = (m - k) * n * 1 + k * n * options.salient_bits;
  r.mask_bits = m;
  // Non-salient a[n], c[n], r2[m] (r1 folded) and salient scale s[n] at v; z[n] fits in b bits.
  r.vector_bits = (2 * n + m) * options.vector_bits + n * options.vector_bits + n * zero_point_bits(options);
  r.metadata_bits = r.mask_bits + r.vector_bits;
  r.total_bits = r.payload_bits + r.metadata_bits;
  const double w = static_cast<double>(r.weights);
  r.payload_bits_per_weight = static_cast<double>(r.payload_bits) / w;
  r.metadata_bits_per_weight = static_cast<double>(r.metadata_bits) / w;
  r.bits_per_weight = static_cast<double>(r.total_bits) / w;
  r.paper = paper_layer_bits(linear, options);
  return r;
}

ModelBits model_bits(const std::vector<QuantizedLinear>& linears, const BitsOptions& options) {
  ModelBits m;
  double paper_weighted_sum = 0.0;
  for (const auto& linear : linears) {
    LayerBits l = layer_bits(linear, options);
    m.quantized_weights += l.weights;
    m.payload_bits += l.payload_bits;
    m.metadata_bits += l.metadata_bits;
    m.total_bits += l.total_bits;
    paper_weighted_sum += l.paper.bits_per_weight * static_cast<double>(l.weights);
    m.layers.push_back(std::move(l));
  }
  if (m.quantized_weights > 0) {
    const double w = static_cast<double>(m.quantized_weights);
    m.bits_per_weight = static_cast<double>(m.total_bits) / w;
    m.paper_bits_per_weight = paper_weighted_sum / w;
  }
  return m;
}

AllParametersBits all_parameters_bits(const ModelBits& quantized, const std::vector<UnquantizedTensor>& unquantized) {
  AllParametersBits a;
  a.quantized_weights = quantized.quantized_weights;
  a.quantized_bits = quantized.total_bits;
  for (const auto& t : unquantized) {
    if (t.elements < 0 || t.stored_bits <= 0)
      throw std::invalid_argument("bits accounting: " + t.name + " has a negative size or non-positive width");
    a.unquantized_parameters += t.elements;
    a.unquantized_bits += t.elements * t.stored_bits;
  }
  a.total_parameters = a.quantized_weights + a.unquantized_parameters;
  a.total_bits = a.quantized_bits + a.unquantized_bits;
  if (a.total_parameters > 0)
    a.bits_per_parameter_including_unquantized =
        static_cast<double>(a.total_bits) / static_cast<double>(a.total_parameters);
  return a;
}

std::vector<UnquantizedTensor> unquantized_tensors(const ModelSpec& spec, int64_t stored_bits) {
  // Names of the block linear weights, "<short name>.weight", matched after "layers.<i>.".
  std::unordered_set<std::string> linear_weight_suffixes;
  for (const auto& l : block_linears(spec)) linear_weight_suffixes.insert(l.name + ".weight");
  std::vector<UnquantizedTensor> out;
  for (const auto& t : expected_tensors(spec)) {
    bool is_block_linear_weight = false;
    if (const auto at = t.name.find("layers."); at != std::string::npos) {
      if (const auto dot = t.name.find('.', at + 7); dot != std::string::npos)
        is_block_linear_weight = linear_weight_suffixes.count(t.name.substr(dot + 1)) > 0;
    }
    if (is_block_linear_weight) continue;
    int64_t elements = 1;
    for (int64_t d : t.shape) elements *= d;
    out.push_back({t.name, elements, stored_bits});
  }
  return out;
}

}  // namespace quantcore
