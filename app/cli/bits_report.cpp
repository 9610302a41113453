#include "bits_report.h"

#include "quantcore/pack/bits_accounting.h"

namespace quantlens_cli {

using nlohmann::json;

json formula_bits(const quantcore::ModelSpec& spec, const std::vector<quantcore::packed::QuantizedWeight>& layers,
                  const std::vector<int64_t>& salient_counts, int salient_bits, quantcore::VectorDType vector_dtype) {
  quantcore::BitsOptions options;
  options.salient_bits = salient_bits;
  options.vector_bits = vector_dtype == quantcore::VectorDType::F16 ? 16 : 32;
  std::vector<quantcore::QuantizedLinear> linears;
  json per_layer = json::array();
  for (size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    quantcore::QuantizedLinear q{{l.prefix, l.out_features, l.in_features}, salient_counts.at(i)};
    linears.push_back(q);
    const quantcore::LayerBits b = quantcore::layer_bits(q, options);
    per_layer.push_back({{"name", l.prefix}, {"out_features", b.out_features}, {"in_features", b.in_features},
                         {"salient_columns", b.salient_columns}, {"bits_per_weight", b.bits_per_weight},
                         {"paper_bits_per_weight", b.paper.bits_per_weight}});
  }
  const quantcore::ModelBits mb = quantcore::model_bits(linears, options);
  const quantcore::AllParametersBits all =
      quantcore::all_parameters_bits(mb, quantcore::unquantized_tensors(spec, 16));
  return {{"bits_per_weight", mb.bits_per_weight},
          {"paper_bits_per_weight", mb.paper_bits_per_weight},
          {"quantized_weights", mb.quantized_weights},
          {"total_bits", mb.total_bits},
          {"bits_per_parameter_including_unquantized", all.bits_per_parameter_including_unquantized},
          {"layers", per_layer}};
}

json bits_from_bytes(const quantcore::SafetensorsFile& file, const std::vector<quantcore::packed::QuantizedWeight>& layers) {
  std::vector<std::pair<std::string, int64_t>> sizes;
  for (const auto& l : layers) sizes.emplace_back(l.prefix, l.out_features * l.in_features);
  const quantcore::ModelBytes mb = quantcore::bits_from_bytes(file, sizes);
  json per_layer = json::array();
  for (const auto& l : mb.layers)
    per_layer.push_back({{"name", l.name}, {"bits_per_weight", l.bits_per_weight}, {"data_bytes", l.data_bytes},
                         {"header_share_bytes", l.header_share_bytes}});
  return {{"bits_per_weight", mb.bits_per_weight}, {"bytes", mb.bytes}, {"quantized_weights", mb.quantized_weights},
          {"layers", per_layer}};
}

}  // namespace quantlens_cli
