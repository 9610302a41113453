#include <stdexcept>

#include "quantcore/pack/bits_accounting.h"

namespace quantcore {

ModelBytes bits_from_bytes(const SafetensorsFile& file, const std::vector<std::pair<std::string, int64_t>>& layers) {
  const auto& entries = file.entries();
  if (entries.empty()) throw std::invalid_argument("bits_from_bytes: the file holds no tensors");
  const double header_per_tensor = double(file.header_bytes()) / double(entries.size());
  ModelBytes out;
  for (const auto& [prefix, weights] : layers) {
    LayerBytes l;
    l.name = prefix;
    l.weights = weights;
    const std::string start = prefix + ".";
    for (const SafetensorsEntry& e : entries) {
      if (e.name.compare(0, start.size(), start) != 0) continue;
      ++l.tensors;
      l.data_bytes += static_cast<int64_t>(e.end - e.begin);
    }
    if (l.tensors == 0) throw std::invalid_argument("bits_from_bytes: no tensor of " + prefix);
    l.header_share_bytes = header_per_tensor * double(l.tensors);
    l.bits_per_weight = 8.0 * (double(l.data_bytes) + l.header_share_bytes) / double(weights);
    out.quantized_weights += weights;
    out.bytes += double(l.data_bytes) + l.header_share_bytes;
    out.layers.push_back(l);
  }
  out.bits_per_weight = out.quantized_weights ? 8.0 * out.bytes / double(out.quantized_weights) : 0.0;
  return out;
}

}  // namespace quantcore
