#include "quantcore/methods/ptq161/quantized.h"

#include <ATen/ATen.h>

#include "quantcore/model/add_tensor.h"
#include "quantcore/pack/bit_packing.h"
#include "quantcore/pack/bits_accounting.h"

namespace quantcore::methods::ptq161 {

Ptq161Linear::Ptq161Linear(LinearQuantization q, int salient_bits) : q_(std::move(q)), salient_bits_(salient_bits) {
  q_.signs = at::Tensor();
  q_.codes = at::Tensor();
}

at::Tensor Ptq161Linear::codes() const {
  const PackedLinear& p = q_.stored;
  const std::vector<uint8_t> salient = unpack_rows(p.codes.data(), p.out_features, p.salient_count(), p.code_bits);
  at::Tensor full = at::zeros({p.out_features, p.in_features}, at::kByte);
  uint8_t* out = full.data_ptr<uint8_t>();
  for (int64_t i = 0; i < p.out_features; ++i)
    for (int64_t k = 0; k < p.salient_count(); ++k)
      out[i * p.in_features + p.salient_columns[static_cast<size_t>(k)]] =
          salient[static_cast<size_t>(i * p.salient_count() + k)];
  return full;
}

int64_t Ptq161Linear::stored_bits() const {
  BitsOptions b;
  b.salient_bits = salient_bits_;
  b.vector_bits = q_.stored.vector_dtype == VectorDType::F16 ? 16 : 32;
  return layer_bits(quantcore::QuantizedLinear{{q_.name, out_features(), in_features()}, salient_columns()}, b)
      .total_bits;
}

std::vector<uint16_t> Ptq161Linear::dequantize_f16() const { return quantcore::dequantize_f16(q_.stored); }

void Ptq161Linear::add_parameters(SafetensorsWriter& w, const std::string& prefix) const {
  const at::Tensor full_codes = codes();
  const std::pair<const char*, const at::Tensor*> fields[] = {
      {"mask", &q_.mask}, {"mean", &q_.mean},   {"alpha", &q_.alpha}, {"r1", &q_.r1},
      {"r2", &q_.r2},     {"scale", &q_.scale}, {"zero", &q_.zero},   {"codes", &full_codes}};
  for (const auto& [f, t] : fields)
    if (t->defined()) add_tensor(w, prefix + f, *t);
}

}  // namespace quantcore::methods::ptq161
