#pragma once
// Torch-free entry points to the forward pass: callers hold a CausalLM without including
// LibTorch (shared_ptr carries its deleter, so the type may stay incomplete here).
#include <memory>
#include <string>

#include "quantcore/io/checkpoint.h"
#include "quantcore/model/compute_target.h"

namespace quantcore {

class CausalLM;

// An HF directory with input_quantization.safetensors beside its weights loads with that input
// quantisation applied (InputError naming the file when it does not fit the model).
std::shared_ptr<CausalLM> load_causal_lm(const Checkpoint& checkpoint, const ComputeOptions& options);

// CausalLM::kernels() for callers without LibTorch: "packed" once any block linear computes with
// the packed kernels, else "dense".
std::string kernels_of(const CausalLM& model);
// CausalLM::input_bits(): 0 unless linears quantise their inputs (input_quantization.safetensors).
int input_bits_of(const CausalLM& model);
// The model's spec (CausalLM::spec), for callers without the LibTorch headers.
const ModelSpec& spec_of(const CausalLM& model);

}  // namespace quantcore
