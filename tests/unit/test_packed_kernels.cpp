// The packed linear's CPU paths against the reference (dequantise + dot in double), within the
// stated forward error bound, on random and adversarial shapes; the vector path against the
// scalar path; the dispatch point's refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <tuple>

#include "quantcore/kernels/packed_linear.h"
#include "quantcore/kernels/packed_linear_cpu.h"
#include "random_packed_linear.h"

namespace k = quantcore::kernels;
using quantlens_test::random_inputs;
using quantlens_test::random_packed_linear;

namespace {

struct Shape {
  int64_t rows, cols, salient, batch;
  int code_bits;
};
void PrintTo(const Shape& s, std::ostream* os) {
  *os << s.rows << "x" << s.cols << " salient " << s.salient << " batch " << s.batch << " codes " << s.code_bits;
}

std::vector<float> run(const quantcore::PackedLinear& l, const std::vector<float>& x, int64_t batch, k::CpuPath path) {
  const k::PackedOperand op = k::make_packed_operand(l);
  std::vector<float> y(static_cast<size_t>(batch * l.out_features), NAN);
  k::packed_linear_cpu(op.view(), x.data(), y.data(), batch, path);
  return y;
}

void expect_within_bound(const std::vector<float>& got, const std::vector<float>& want, const std::vector<float>& bound,
                         const char* what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i)
    ASSERT_LE(std::fabs(got[i] - want[i]), bound[i] + 1e-30f)
        << what << " output " << i << ": " << got[i] << " vs " << want[i];
}

class PackedKernelShapes : public testing::TestWithParam<Shape> {};

TEST_P(PackedKernelShapes, CpuPathsMatchTheReferenceWithinTheBound) {
  const Shape s = GetParam();
  const auto l = random_packed_linear(s.rows, s.cols, s.salient, 7u + static_cast<uint32_t>(s.cols), s.code_bits,
                                      s.code_bits == 8 ? 6 : 4);
  const auto x = random_inputs(s.batch * s.cols, 11u + static_cast<uint32_t>(s.rows));
  const auto want = k::packed_linear_reference(l, x.data(), s.batch);
  const auto bound = k::packed_linear_error_bound(l, x.data(), s.batch);
  const auto scalar = run(l, x, s.batch, k::CpuPath::Scalar);
  expect_within_bound(scalar, want, bound, "scalar");
  std::vector<float> twice(bound.size());
  for (size_t i = 0; i < bound.size(); ++i) twice[i] = 2 * bound[i];
  // Every vector path this CPU has: against the reference, and against the scalar path.
  const std::tuple<k::CpuPath, bool, const char*> paths[] = {{k::CpuPath::Avx2, k::cpu_has_avx2(), "avx2"},
                                                             {k::CpuPath::Avx512, k::cpu_has_avx512(), "avx512"}};
  int ran = 0;
  for (const auto& [path, has, name] : paths) {
    if (!has) continue;
    ++ran;
    const auto got = run(l, x, s.batch, path);
    expect_within_bound(got, want, bound, name);
    expect_within_bound(got, scalar, twice, (std::string(name) + " vs scalar").c_str());
  }
  if (ran < 2) GTEST_SKIP() << "this CPU lacks " << (k::cpu_has_avx2() ? "AVX-512" : "AVX2 and AVX-512")
                            << ": only the paths it has were run";
}

INSTANTIATE_TEST_SUITE_P(Shapes, PackedKernelShapes,
                         testing::Values(Shape{1, 1, 0, 1, 4}, Shape{1, 1, 1, 1, 4}, Shape{3, 31, 0, 1, 4},
                                         Shape{5, 33, 33, 2, 4}, Shape{7, 100, 20, 1, 4}, Shape{17, 257, 51, 3, 4},
                                         Shape{64, 96, 19, 8, 4}, Shape{33, 300, 61, 9, 4}, Shape{9, 130, 27, 64, 4},
                                         Shape{1, 512, 100, 64, 4}, Shape{12, 77, 13, 1, 8}, Shape{12, 77, 13, 5, 8},
                                         Shape{40, 1100, 220, 1, 4}, Shape{2, 40, 40, 1, 8},
                                         Shape{6, 1300, 100, 3, 4}, Shape{11, 150, 17, 6, 8},
                                         Shape{10, 170, 27, 7, 8}, Shape{9, 64, 0, 4, 4},
                                         Shape{21, 4100, 820, 2, 4}, Shape{48, 333, 0, 1, 4},
                                         Shape{32, 64, 64, 1, 4}, Shape{19, 200, 37, 1, 4}));

TEST(PackedKernels, FlippingOneSignBitMovesTheOutputBeyondTheBound) {
  // The bound is tight enough to catch a single wrong bit on the shapes above.
  auto l = random_packed_linear(4, 200, 40, 3u);
  const auto x = random_inputs(200, 5u);
  const auto y = run(l, x, 1, k::CpuPath::Auto);
  const auto bound = k::packed_linear_error_bound(l, x.data(), 1);
  l.signs[0] ^= 1u << 3;
  const auto flipped = k::packed_linear_reference(l, x.data(), 1);
  EXPECT_GT(std::fabs(flipped[0] - y[0]), 10 * bound[0]);
}

TEST(PackedKernels, DispatchRefusesAPairWithoutAKernelAndBadArguments) {
  const auto l = random_packed_linear(2, 8, 2, 1u);
  const k::PackedOperand op = k::make_packed_operand(l);
  std::vector<float> x(8, 1.0f), y(2);
  EXPECT_THROW(k::packed_linear_forward(k::Device::Cpu, k::DType::F16, op.view(), x.data(), y.data(), 1),
               std::invalid_argument);
  if (!k::cuda_kernels_built())
    EXPECT_THROW(k::packed_linear_forward(k::Device::Cuda, k::DType::F16, op.view(), x.data(), y.data(), 1),
                 std::invalid_argument);
  EXPECT_THROW(k::packed_linear_forward(k::Device::Cpu, k::DType::F32, op.view(), x.data(), y.data(), 0),
               std::invalid_argument);
  k::PackedLinearView bad = op.view();
  bad.sign_words += 1;
  EXPECT_THROW(k::packed_linear_forward(k::Device::Cpu, k::DType::F32, bad, x.data(), y.data(), 1),
               std::invalid_argument);
  k::packed_linear_forward(k::Device::Cpu, k::DType::F32, op.view(), x.data(), y.data(), 1);
  const auto want = k::packed_linear_reference(l, x.data(), 1);
  EXPECT_NEAR(y[0], want[0], 1e-5);
}

}  // namespace
