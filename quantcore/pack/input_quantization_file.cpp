#include "quantcore/pack/input_quantization_file.h"

#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "quantcore/io/errors.h"
#include "quantcore/io/safetensors.h"
#include "quantcore/pack/half_float.h"
#include "quantcore/pack/packed_format.h"

namespace quantcore {

namespace {
constexpr const char* kSuffix = ".input_smoothing";
}

void write_input_quantization(const std::filesystem::path& file, const std::map<std::string, InputQuantization>& linears) {
  if (linears.empty()) throw std::invalid_argument("write_input_quantization: no linears");
  const int bits = linears.begin()->second.bits;
  SafetensorsWriter w;
  for (const auto& [prefix, q] : linears) {
    if (q.bits != bits) throw std::invalid_argument("write_input_quantization: linears differ in bits");
    if (q.smoothing.empty()) throw std::invalid_argument("write_input_quantization: " + prefix + " has no channel count");
    const std::vector<uint16_t> halves = halves_of(q.smoothing);
    w.add(prefix + kSuffix, DType::F16, {static_cast<int64_t>(halves.size())}, halves.data(), halves.size() * 2);
  }
  w.set_metadata("bits", std::to_string(bits));
  w.set_metadata("scheme", "per-token asymmetric min/max, x -> s * Q(x / s)");
  w.write(file);
}

std::map<std::string, InputQuantization> read_input_quantization(const std::filesystem::path& file,
                                                                 const ModelSpec& spec) {
  const std::string where = file.string();
  const SafetensorsFile st(file);
  const auto bits_entry = st.metadata().find("bits");
  if (bits_entry == st.metadata().end()) throw InputError(where, "no \"bits\" in the metadata");
  int bits = 0;
  size_t used = 0;
  try {
    bits = std::stoi(bits_entry->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != bits_entry->second.size())
    throw InputError(where, "metadata bits \"" + bits_entry->second + "\" is not a number");
  if (bits < 2 || bits > 8) throw InputError(where, "metadata bits " + std::to_string(bits) + " is not 2..8");
  std::map<std::string, int64_t> in_features;
  for (const packed::QuantizedWeight& q : packed::quantized_weights(spec)) in_features[q.prefix + kSuffix] = q.in_features;
  std::map<std::string, InputQuantization> out;
  for (const SafetensorsEntry& e : st.entries()) {
    const auto known = in_features.find(e.name);
    if (known == in_features.end()) throw InputError(where, "tensor " + e.name + " is no block linear's input smoothing");
    const TensorView v = st.view(e);
    if (v.dtype != DType::F16 || v.shape != std::vector<int64_t>{known->second})
      throw InputError(where, e.name + " is not F16 [" + std::to_string(known->second) + "]");
    InputQuantization q;
    q.bits = bits;
    q.smoothing.resize(static_cast<size_t>(known->second));
    std::vector<uint16_t> halves(q.smoothing.size());
    std::memcpy(halves.data(), v.data, halves.size() * 2);
    for (size_t j = 0; j < halves.size(); ++j) {
      q.smoothing[j] = float_from_half(halves[j]);
      if (!std::isfinite(q.smoothing[j]) || q.smoothing[j] <= 0)
        throw InputError(where, e.name + " holds a smoothing factor that is not finite and positive");
    }
    out[e.name.substr(0, e.name.size() - std::strlen(kSuffix))] = std::move(q);
  }
  return out;
}

}  // namespace quantcore
