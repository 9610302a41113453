#include "analysis/teaching_example.h"

#include <ATen/ATen.h>

#include <stdexcept>

#include "quantcore/methods/ptq161/quantizers.h"

namespace analysis {

namespace {

template <typename T>
std::vector<T> to_vector(const at::Tensor& t) {
  const at::Tensor c = t.contiguous();
  return {c.data_ptr<T>(), c.data_ptr<T>() + c.numel()};
}

// W' under `mask` at the analytic initialisation (r1 = r2 = 1), with the binarisation parameters.
struct Dequantized {
  at::Tensor weight;
  quantcore::methods::ptq161::BinarizationParams params;
};
Dequantized dequantize(const at::Tensor& w, const at::Tensor& mask, const at::Tensor& salient) {
  Dequantized d;
  d.params = quantcore::methods::ptq161::init_binarization(w, mask);
  d.weight = quantcore::methods::ptq161::dequantized_weight(w, mask, salient, d.params.mean, d.params.alpha,
                                                            d.params.r1, d.params.r2);
  return d;
}

double output_error(const at::Tensor& w_prime, const at::Tensor& w, const at::Tensor& x) {
  return at::linalg_vector_norm(at::mv(w_prime.to(at::kDouble), x.to(at::kDouble)) -
                                at::mv(w.to(at::kDouble), x.to(at::kDouble)))
      .item<double>();
}

}  // namespace

TeachingResult teach(const TeachingInput& in) {
  if (in.rows <= 0 || in.cols <= 0) throw std::invalid_argument("teaching example: the matrix is empty");
  if (static_cast<int64_t>(in.weight.size()) != in.rows * in.cols || static_cast<int64_t>(in.x.size()) != in.cols)
    throw std::invalid_argument("teaching example: weight, x and the shape disagree");
  if (!(in.ratio >= 0.0 && in.ratio <= 1.0)) throw std::invalid_argument("teaching example: ratio must lie in [0, 1]");
  const at::Tensor w = at::from_blob(const_cast<float*>(in.weight.data()), {in.rows, in.cols}, at::kFloat).clone();
  const at::Tensor x = at::from_blob(const_cast<float*>(in.x.data()), {in.cols}, at::kFloat).clone();

  const at::Tensor mask = quantcore::methods::ptq161::salient_channel_mask(x.abs(), in.ratio);
  const quantcore::methods::ptq161::SalientQuantization q =
      quantcore::methods::ptq161::quantize_salient(w, in.salient_bits);
  const Dequantized masked = dequantize(w, mask, q.dequantized);
  const Dequantized binarised = dequantize(w, at::zeros({in.cols}, at::kBool), q.dequantized);

  TeachingResult r;
  r.mask = to_vector<uint8_t>(mask.to(at::kByte));
  r.codes = to_vector<uint8_t>(q.codes.to(at::kByte));
  r.scale = to_vector<float>(q.scale.to(at::kFloat));
  r.zero = to_vector<float>(q.zero.to(at::kFloat));
  r.mu = to_vector<float>(masked.params.mean);
  r.alpha = to_vector<float>(masked.params.alpha);
  r.signs = to_vector<int8_t>((at::sign(w - masked.params.mean) * (1 - mask.to(at::kFloat))).to(at::kChar));
  r.dequantized = to_vector<float>(masked.weight);
  r.binarized_only = to_vector<float>(binarised.weight);
  r.exact_output = to_vector<float>(at::mv(w, x));
  r.masked_output = to_vector<float>(at::mv(masked.weight, x));
  r.unmasked_output = to_vector<float>(at::mv(binarised.weight, x));
  r.error_with_mask = output_error(masked.weight, w, x);
  r.error_without_mask = output_error(binarised.weight, w, x);
  return r;
}

TeachingInput default_teaching_input() {
  TeachingInput in;
  in.rows = 6;
  in.cols = 8;
  in.weight = {0.12f,  -0.31f, 0.05f,  0.44f,  -0.08f, 0.27f,  -0.19f, 0.02f,   //
               -0.22f, 0.09f,  0.36f,  -0.14f, 0.18f,  -0.41f, 0.07f,  0.25f,   //
               0.03f,  0.48f,  -0.26f, 0.11f,  -0.35f, 0.06f,  0.29f,  -0.13f,  //
               0.39f,  -0.04f, 0.15f,  -0.28f, 0.21f,  0.10f,  -0.47f, 0.33f,   //
               -0.17f, 0.24f,  -0.02f, 0.37f,  0.08f,  -0.23f, 0.14f,  -0.38f,  //
               0.26f,  -0.12f, 0.43f,  0.01f,  -0.30f, 0.19f,  0.05f,  -0.09f};
  in.x = {0.8f, -0.3f, 5.2f, 0.5f, -0.9f, 0.2f, -4.1f, 0.6f};  // channels 2 and 6 are outliers
  in.ratio = 0.2;
  return in;
}

}  // namespace analysis
