#pragma once
// One PTQ1.61 linear as the registry's QuantizedLinear: the stored form (§4.2) and the small
// vectors the exports and the HDF5 dump report. Include only where tensors are computed with.
#include "quantcore/methods/ptq161/block_optimizer.h"
#include "quantcore/methods/quantized_linear.h"

namespace quantcore::methods::ptq161 {

class Ptq161Linear : public QuantizedLinear {
public:
  // Keeps `q` without its [n, m] sign and code tensors: the stored form has both as bits, so a
  // finished run costs about its packed size.
  Ptq161Linear(LinearQuantization q, int salient_bits);

  // mask, mean, alpha, r1, r2, scale, zero and the stored form (signs and codes undefined).
  const LinearQuantization& quantization() const { return q_; }
  // uint8 [n, m]: the salient columns' codes from the stored form, 0 elsewhere.
  at::Tensor codes() const;
  int salient_bits() const { return salient_bits_; }

  const std::string& linear() const override { return q_.name; }
  int64_t out_features() const override { return q_.stored.out_features; }
  int64_t in_features() const override { return q_.stored.in_features; }
  int64_t salient_columns() const override { return q_.stored.salient_count(); }
  int64_t stored_bits() const override;
  std::vector<uint16_t> dequantize_f16() const override;
  const PackedLinear* packed() const override { return &q_.stored; }
  void add_parameters(SafetensorsWriter& writer, const std::string& prefix) const override;

private:
  LinearQuantization q_;
  int salient_bits_;
};

}  // namespace quantcore::methods::ptq161
