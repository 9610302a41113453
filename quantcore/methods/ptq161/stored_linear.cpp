#include "quantcore/methods/ptq161/stored_linear.h"

#include <ATen/ATen.h>
#include <ATen/core/grad_mode.h>

#include "quantcore/pack/bit_packing.h"

namespace quantcore::methods::ptq161 {
namespace {

std::vector<float> rounded_vector(const at::Tensor& t, VectorDType dtype) {
  at::Tensor c = t.detach().to(at::kCPU, at::kFloat).contiguous().flatten();
  std::vector<float> out(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
  for (float& v : out) v = round_to_vector_dtype(v, dtype);
  return out;
}

// The rows of `values` [n, m] restricted to `columns`, as bytes.
std::vector<uint8_t> select_columns(const at::Tensor& values, const at::Tensor& columns) {
  at::Tensor s = values.index_select(1, columns).to(at::kByte).contiguous();
  return std::vector<uint8_t>(s.data_ptr<uint8_t>(), s.data_ptr<uint8_t>() + s.numel());
}

}  // namespace

PackedLinear stored_linear(const LinearQuantization& q, int salient_bits, VectorDType dtype) {
  at::NoGradGuard no_grad;
  const at::Tensor mask = q.mask.to(at::kCPU, at::kBool);
  const at::Tensor salient = at::nonzero(mask).flatten();
  const at::Tensor binarised = at::nonzero(mask.logical_not()).flatten();

  PackedLinear l;
  l.out_features = q.codes.size(0);
  l.in_features = q.codes.size(1);
  l.code_bits = salient_bits <= 4 ? 4 : 8;
  l.vector_dtype = dtype;
  at::Tensor cols = salient.to(at::kInt).contiguous();
  l.salient_columns.assign(cols.data_ptr<int32_t>(), cols.data_ptr<int32_t>() + cols.numel());
  const int64_t n = l.out_features, k = l.salient_count();
  const std::vector<uint8_t> signs = select_columns(q.signs.to(at::kCPU), binarised);
  l.signs = pack_rows(signs.data(), n, l.in_features - k, 1);
  const std::vector<uint8_t> codes = select_columns(q.codes.to(at::kCPU), salient);
  l.codes = pack_rows(codes.data(), n, k, l.code_bits);
  // a and c are formed in fp32, then rounded once to the stored dtype.
  l.a = rounded_vector(q.r1 * q.alpha, dtype);
  l.c = rounded_vector(q.r1 * q.mean, dtype);
  l.r2 = rounded_vector(q.r2, dtype);
  l.scale = rounded_vector(q.scale, dtype);
  l.zero = rounded_vector(q.zero, dtype);
  return l;
}

}  // namespace quantcore::methods::ptq161
