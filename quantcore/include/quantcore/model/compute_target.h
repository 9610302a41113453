#pragma once
#include <string>

namespace quantcore {

// Where and in which precision a model computes, as the user names it ("cpu"/"cuda",
// "fp32"/"bf16"/"fp16"). Torch-free so the CLI and GUI can carry it around.
struct ComputeOptions {
  std::string device = "cpu";
  std::string dtype = "fp32";
  // "dense": every linear is a dense tensor (a packed checkpoint is dequantised to fp16 W').
  // "packed": the block linears of a packed checkpoint compute from the packed bits with the
  // kernels room's packed linear (docs/kernels.md); everything else stays dense.
  std::string kernels = "dense";
  // Fused engine ops where they exist for the device and dtype (the PTQ1.61 W' rebuild and its
  // backward, the activation statistics); false: the un-fused ATen reference path.
  bool fused_ops = true;
};

// Throws InputError for an unknown name, fp16 on CPU (LibTorch has no fp16 CPU kernels), cuda
// when this build's LibTorch has no CUDA or no GPU is present, or packed kernels on cuda in a
// build without the CUDA kernels.
void check_compute_options(const ComputeOptions& options);
bool cuda_available();

}  // namespace quantcore
