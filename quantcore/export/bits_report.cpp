#include "quantcore/export/bits_report.h"

namespace quantcore::outputs {

using nlohmann::json;

namespace {
BitsOptions bits_options(int salient_bits, VectorDType vector_dtype) {
  BitsOptions options;
  options.salient_bits = salient_bits;
  options.vector_bits = vector_dtype == VectorDType::F16 ? 16 : 32;
  return options;
}

std::vector<QuantizedLinear> linears_of(const std::vector<packed::QuantizedWeight>& layers,
                                        const std::vector<int64_t>& salient_counts) {
  std::vector<QuantizedLinear> linears;
  for (size_t i = 0; i < layers.size(); ++i)
    linears.push_back({{layers[i].prefix, layers[i].out_features, layers[i].in_features}, salient_counts.at(i)});
  return linears;
}
}  // namespace

ModelBits formula_model_bits(const std::vector<packed::QuantizedWeight>& layers,
                             const std::vector<int64_t>& salient_counts, int salient_bits, VectorDType vector_dtype) {
  return model_bits(linears_of(layers, salient_counts), bits_options(salient_bits, vector_dtype));
}

json model_bits_json(const ModelSpec& spec, const ModelBits& mb) {
  json per_layer = json::array();
  for (const LayerBits& b : mb.layers)
    per_layer.push_back({{"name", b.name},
                         {"out_features", b.out_features},
                         {"in_features", b.in_features},
                         {"salient_columns", b.salient_columns},
                         {"bits_per_weight", b.bits_per_weight},
                         {"paper_bits_per_weight", b.paper.bits_per_weight}});
  const AllParametersBits all = all_parameters_bits(mb, unquantized_tensors(spec, 16));
  return {{"bits_per_weight", mb.bits_per_weight},
          {"paper_bits_per_weight", mb.paper_bits_per_weight},
          {"quantized_weights", mb.quantized_weights},
          {"total_bits", mb.total_bits},
          {"bits_per_parameter_including_unquantized", all.bits_per_parameter_including_unquantized},
          {"layers", per_layer}};
}

json formula_bits(const ModelSpec& spec, const std::vector<packed::QuantizedWeight>& layers,
                  const std::vector<int64_t>& salient_counts, int salient_bits, VectorDType vector_dtype) {
  return model_bits_json(spec, formula_model_bits(layers, salient_counts, salient_bits, vector_dtype));
}

json bits_from_bytes(const SafetensorsFile& file, const std::vector<packed::QuantizedWeight>& layers) {
  std::vector<std::pair<std::string, int64_t>> sizes;
  for (const auto& l : layers) sizes.emplace_back(l.prefix, l.out_features * l.in_features);
  const ModelBytes mb = quantcore::bits_from_bytes(file, sizes);
  json per_layer = json::array();
  for (const auto& l : mb.layers)
    per_layer.push_back({{"name", l.name},
                         {"bits_per_weight", l.bits_per_weight},
                         {"data_bytes", l.data_bytes},
                         {"header_share_bytes", l.header_share_bytes}});
  return {{"bits_per_weight", mb.bits_per_weight},
          {"bytes", mb.bytes},
          {"quantized_weights", mb.quantized_weights},
          {"layers", per_layer}};
}

}  // namespace quantcore::outputs
