#pragma once
// input_quantization.safetensors: the input quantisation of a model directory's linears, written
// beside model.safetensors by exports of runs that quantise activations (W(1+1)A(1×4)'s A side)
// and applied by the loader (docs/methods/w1a1x4.md). One F16 [in_features] tensor
// PREFIX.input_smoothing per quantised linear (PREFIX as in the weights, "model.layers.3.mlp.up_proj";
// all ones where there is no smoothing) and the metadata "bits". A loader that ignores the file
// still has a correct weight-only model. Torch-free.
#include <filesystem>
#include <map>
#include <string>

#include "quantcore/io/model_spec.h"
#include "quantcore/pack/input_quantization.h"

namespace quantcore {

inline constexpr const char* kInputQuantizationFile = "input_quantization.safetensors";

// By weight prefix. Every entry's bits must be the same (throws std::invalid_argument otherwise).
void write_input_quantization(const std::filesystem::path& file, const std::map<std::string, InputQuantization>& linears);

// Throws InputError naming the file for anything that does not fit `spec`: an unknown linear, a
// wrong shape or dtype, bits outside 2..8, a smoothing factor that is not finite and positive.
std::map<std::string, InputQuantization> read_input_quantization(const std::filesystem::path& file,
                                                                 const ModelSpec& spec);

}  // namespace quantcore
