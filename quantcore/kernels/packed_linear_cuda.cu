// The CUDA packed linear. No tensor library here: raw device pointers and shapes.
//   fold_kernel    one block per batch column: x' = r2 x over the binarised columns, x^s over the
//                  salient ones (zero-padded to whole words, fp32), and their sums.
//   packed_kernel  one warp per output row and batch tile of 8: lanes stride over the row's
//                  sign and code words (consecutive lanes read consecutive words), each word is
//                  dequantised by packed_math.h's functions, warp-reduced, and lane 0 applies
//                  the row epilogue.
#include "quantcore/kernels/cuda_support.cuh"
#include "quantcore/kernels/packed_linear_cuda.h"
#include "quantcore/kernels/packed_math.h"

namespace quantcore::kernels {

namespace {

constexpr int kWarpsPerBlock = 8;
constexpr int kTile = 8;
constexpr int kFoldThreads = 256;

using cuda::block_sum;
using cuda::check;
using cuda::from_float;
using cuda::to_float;

template <typename T>
__global__ void fold_kernel(PackedLinearView w, const T* x, int64_t folded_stride, int64_t salient_stride,
                            float* folded, float* salient, float* sums) {
  __shared__ float scratch[kFoldThreads / 32];
  const int64_t b = blockIdx.x;
  const T* xb = x + b * w.cols;
  float* fb = folded + b * folded_stride;
  float* sb = salient + b * salient_stride;
  float folded_sum = 0.0f, salient_sum = 0.0f;
  for (int64_t j = threadIdx.x; j < folded_stride; j += blockDim.x) {
    const float v = j < w.binarised() ? w.r2_binarised[j] * to_float(xb[w.binarised_columns[j]]) : 0.0f;
    fb[j] = v;
    folded_sum += v;
  }
  for (int64_t j = threadIdx.x; j < salient_stride; j += blockDim.x) {
    const float v = j < w.salient ? to_float(xb[w.salient_columns[j]]) : 0.0f;
    sb[j] = v;
    salient_sum += v;
  }
  folded_sum = block_sum<kFoldThreads>(folded_sum, scratch);
  salient_sum = block_sum<kFoldThreads>(salient_sum, scratch);
  if (threadIdx.x == 0) {
    sums[2 * b] = folded_sum;
    sums[2 * b + 1] = salient_sum;
  }
}

template <typename T>
__global__ void packed_kernel(PackedLinearView w, int64_t batch, int64_t folded_stride, int64_t salient_stride,
                              const float* folded, const float* salient, const float* sums, T* y) {
  const int lane = threadIdx.x % 32;
  const int64_t row = int64_t(blockIdx.x) * kWarpsPerBlock + threadIdx.x / 32;
  const int64_t b0 = int64_t(blockIdx.y) * kTile;
  if (row >= w.rows) return;
  const int width = batch - b0 < kTile ? static_cast<int>(batch - b0) : kTile;
  const int per_word = codes_per_word(w.code_bits);
  float signed_sums[kTile], code_sums[kTile];
#pragma unroll
  for (int t = 0; t < kTile; ++t) signed_sums[t] = code_sums[t] = 0.0f;

  const uint32_t* signs = w.signs + row * w.sign_words;
  for (int64_t v = lane; v < w.sign_words; v += 32) {
    const uint32_t word = signs[v];
#pragma unroll
    for (int t = 0; t < kTile; ++t)
      if (t < width) signed_sums[t] += signed_sum_word(word, folded + (b0 + t) * folded_stride + 32 * v, 32);
  }
  const uint32_t* codes = w.codes + row * w.code_words;
  for (int64_t v = lane; v < w.code_words; v += 32) {
    const uint32_t word = codes[v];
#pragma unroll
    for (int t = 0; t < kTile; ++t)
      if (t < width)
        code_sums[t] += code_sum_word(word, salient + (b0 + t) * salient_stride + per_word * v, per_word, w.code_bits);
  }
#pragma unroll
  for (int t = 0; t < kTile; ++t)
    for (int o = 16; o > 0; o >>= 1) {
      signed_sums[t] += __shfl_xor_sync(0xffffffffu, signed_sums[t], o);
      code_sums[t] += __shfl_xor_sync(0xffffffffu, code_sums[t], o);
    }
  if (lane != 0) return;
  for (int t = 0; t < width; ++t) {
    const int64_t b = b0 + t;
    y[b * w.rows + row] = from_float<T>(packed_row_output(w.a[row], w.c[row], w.scale[row], w.zero[row], signed_sums[t],
                                                          sums[2 * b], code_sums[t], sums[2 * b + 1]));
  }
}

template <typename T>
void launch(const PackedLinearView& w, const void* x, void* y, int64_t batch, cudaStream_t stream) {
  const int64_t folded_stride = w.sign_words * 32;
  const int64_t salient_stride = w.code_words * codes_per_word(w.code_bits);
  const size_t floats = static_cast<size_t>(batch * (folded_stride + salient_stride + 2));
  float* workspace = nullptr;
  check(cudaMallocAsync(reinterpret_cast<void**>(&workspace), floats * sizeof(float), stream), "workspace");
  float* folded = workspace;
  float* salient = folded + batch * folded_stride;
  float* sums = salient + batch * salient_stride;
  fold_kernel<T><<<static_cast<unsigned>(batch), kFoldThreads, 0, stream>>>(w, static_cast<const T*>(x), folded_stride,
                                                                            salient_stride, folded, salient, sums);
  const dim3 grid(static_cast<unsigned>((w.rows + kWarpsPerBlock - 1) / kWarpsPerBlock),
                  static_cast<unsigned>((batch + kTile - 1) / kTile));
  packed_kernel<T><<<grid, kWarpsPerBlock * 32, 0, stream>>>(w, batch, folded_stride, salient_stride, folded, salient,
                                                             sums, static_cast<T*>(y));
  check(cudaGetLastError(), "packed linear launch");
  check(cudaFreeAsync(workspace, stream), "workspace");
}

}  // namespace

bool cuda_kernels_built() { return true; }

int cuda_device_count() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no device / no driver" status
    return 0;
  }
  return count;
}

void packed_linear_cuda(const PackedLinearView& w, DType dtype, const void* x, void* y, int64_t batch, void* stream) {
  const cudaStream_t s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
    case DType::F32: return launch<float>(w, x, y, batch, s);
    case DType::F16: return launch<__half>(w, x, y, batch, s);
    case DType::BF16: return launch<__nv_bfloat16>(w, x, y, batch, s);
  }
}

CudaBuffer::CudaBuffer(size_t bytes) {
  if (bytes > 0) check(cudaMalloc(&data_, bytes), "malloc");
}
CudaBuffer::~CudaBuffer() {
  if (data_) cudaFree(data_);
}
void CudaBuffer::upload(const void* host, size_t bytes) {
  if (bytes > 0) check(cudaMemcpy(data_, host, bytes, cudaMemcpyHostToDevice), "upload");
}
void CudaBuffer::download(void* host, size_t bytes) const {
  if (bytes > 0) check(cudaMemcpy(host, data_, bytes, cudaMemcpyDeviceToHost), "download");
}

namespace {
template <typename T>
std::unique_ptr<CudaBuffer> upload(const std::vector<T>& host, const T*& pointer) {
  auto buffer = std::make_unique<CudaBuffer>(host.size() * sizeof(T));
  buffer->upload(host.data(), host.size() * sizeof(T));
  pointer = static_cast<const T*>(buffer->data());
  return buffer;
}
}  // namespace

CudaPackedOperand::CudaPackedOperand(const PackedOperand& host) : view_(host.view()) {
  view_.signs_by_16 = view_.codes_by_16 = nullptr;  // host-only layouts; the CUDA kernel reads signs/codes
  signs_ = upload(host.signs, view_.signs);
  codes_ = upload(host.codes, view_.codes);
  salient_ = upload(host.salient_columns, view_.salient_columns);
  binarised_ = upload(host.binarised_columns, view_.binarised_columns);
  r2_ = upload(host.r2_binarised, view_.r2_binarised);
  a_ = upload(host.a, view_.a);
  c_ = upload(host.c, view_.c);
  scale_ = upload(host.scale, view_.scale);
  zero_ = upload(host.zero, view_.zero);
}

}  // namespace quantcore::kernels
