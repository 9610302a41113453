#pragma once
// A packed PTQ1.61 directory read back as ordinary weights (docs/packed-format.md): every
// quantised linear is kept in its packed form, and dequantised with dequantize_f16 the first
// time its weight is asked for (then served as an F16 tensor); every other tensor is served
// from the file as stored. Torch-free.
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "quantcore/io/checkpoint.h"
#include "quantcore/io/safetensors.h"
#include "quantcore/pack/packed_format.h"
#include "quantcore/pack/packed_linear.h"

namespace quantcore {

class PackedCheckpoint : public WeightSource {
public:
  // Validates the schema tag and version and every tensor of every quantised linear; InputError
  // naming the file and the tensor on the first problem.
  PackedCheckpoint(const std::filesystem::path& dir, const ModelSpec& spec);

  std::optional<TensorView> find(const std::string& name) const override;
  std::optional<TensorView> describe(const std::string& name) const override;
  std::vector<std::string> names() const override;
  std::string location(const std::string& name) const override;

  const SafetensorsFile& file() const { return *file_; }
  const packed::FormatSettings& settings() const { return settings_; }
  const std::vector<packed::QuantizedWeight>& quantized() const { return quantized_; }
  // Salient column count of each entry of quantized(), in the same order.
  const std::vector<int64_t>& salient_counts() const { return salient_counts_; }
  // The packed form of a quantised linear's weight ("model.layers.0.mlp.up_proj.weight"), or
  // null for any other tensor. Asking for it dequantises nothing.
  const PackedLinear* packed_linear(const std::string& weight_name) const;

private:
  std::unique_ptr<SafetensorsFile> file_;
  packed::FormatSettings settings_;
  std::vector<packed::QuantizedWeight> quantized_;
  std::vector<int64_t> salient_counts_;
  std::map<std::string, PackedLinear> linears_;  // weight name -> packed form
  mutable std::mutex dense_mutex_;
  mutable std::map<std::string, std::vector<uint16_t>> dense_;  // weight name -> fp16 W' bits, once asked for
};

// The directory's config.json names the packed format in its quantization_config.
bool is_packed_directory(const std::filesystem::path& path);

// Opens a packed directory (format CheckpointFormat::Packed, weights a PackedCheckpoint) or
// anything open_checkpoint opens.
Checkpoint open_model_checkpoint(const std::filesystem::path& path,
                                 const std::optional<std::filesystem::path>& tokenizer_override = {});

}  // namespace quantcore
