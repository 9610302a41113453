// The CUDA packed linear against the CPU reference on the same shapes as the CPU paths, for
// fp32, fp16 and bf16 activations. Reported skipped where no CUDA device answers (or nvcc was
// not found), never passed.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "quantcore/kernels/packed_linear.h"
#include "quantcore/kernels/packed_linear_cpu.h"
#include "quantcore/kernels/packed_linear_cuda.h"
#include "quantcore/pack/half_float.h"
#include "random_packed_linear.h"

namespace k = quantcore::kernels;

namespace {

struct Shape {
  int64_t rows, cols, salient, batch;
  int code_bits;
};

uint16_t bf16_from_float(float v) {  // inputs are fp16-exact, so truncation after rounding is exact enough
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  bits += 0x7fffu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>(bits >> 16);
}
float float_from_bf16(uint16_t h) {
  const uint32_t bits = uint32_t(h) << 16;
  float v;
  std::memcpy(&v, &bits, 4);
  return v;
}

class PackedKernelCuda : public testing::TestWithParam<std::tuple<Shape, k::DType>> {};

TEST_P(PackedKernelCuda, MatchesTheReference) {
  if (!k::cuda_kernels_built()) GTEST_SKIP() << "built without CUDA kernels (nvcc not found)";
  if (k::cuda_device_count() == 0) GTEST_SKIP() << "no CUDA device answers";
  const auto [s, dtype] = GetParam();
  const auto l = quantlens_test::random_packed_linear(s.rows, s.cols, s.salient, 5u + static_cast<uint32_t>(s.cols),
                                                      s.code_bits, s.code_bits == 8 ? 6 : 4);
  std::vector<float> x = quantlens_test::random_inputs(s.batch * s.cols, 9u);
  std::vector<uint16_t> x16(x.size());
  if (dtype == k::DType::BF16)
    for (size_t i = 0; i < x.size(); ++i) x[i] = float_from_bf16(x16[i] = bf16_from_float(x[i]));
  if (dtype == k::DType::F16)
    for (size_t i = 0; i < x.size(); ++i) x16[i] = quantcore::half_from_float(x[i]);
  const auto want = k::packed_linear_reference(l, x.data(), s.batch);
  const auto bound = k::packed_linear_error_bound(l, x.data(), s.batch);

  const k::PackedOperand host = k::make_packed_operand(l);
  const k::CudaPackedOperand device(host);
  const size_t elem = dtype == k::DType::F32 ? 4 : 2;
  k::CudaBuffer dx(x.size() * elem), dy(want.size() * elem);
  dx.upload(dtype == k::DType::F32 ? static_cast<const void*>(x.data()) : x16.data(), x.size() * elem);
  k::packed_linear_forward(k::Device::Cuda, dtype, device.view(), dx.data(), dy.data(), s.batch);
  std::vector<float> got(want.size());
  std::vector<uint16_t> got16(want.size());
  if (dtype == k::DType::F32) {
    dy.download(got.data(), got.size() * 4);
  } else {
    dy.download(got16.data(), got16.size() * 2);
    for (size_t i = 0; i < got.size(); ++i)
      got[i] = dtype == k::DType::F16 ? quantcore::float_from_half(got16[i]) : float_from_bf16(got16[i]);
  }
  const double out_rounding = dtype == k::DType::F32 ? 0.0 : dtype == k::DType::F16 ? std::ldexp(1.0, -11) : 1.0 / 256;
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::fabs(got[i] - want[i]), bound[i] + out_rounding * std::fabs(want[i]) + 1e-30)
        << "output " << i << ": " << got[i] << " vs " << want[i];
}

INSTANTIATE_TEST_SUITE_P(Shapes, PackedKernelCuda,
                         testing::Combine(testing::Values(Shape{1, 1, 0, 1, 4}, Shape{5, 33, 33, 2, 4},
                                                          Shape{17, 257, 51, 3, 4}, Shape{33, 300, 61, 9, 4},
                                                          Shape{9, 130, 27, 64, 4}, Shape{12, 77, 13, 5, 8},
                                                          Shape{300, 1100, 220, 1, 4}),
                                          testing::Values(k::DType::F32, k::DType::F16, k::DType::BF16)));

}  // namespace
