#pragma once
// Writing a model directory: a staging directory beside the destination renamed into place,
// config.json, the tokenizer files, tensors into a safetensors writer.
#include <ATen/core/Tensor.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "quantcore/io/checkpoint.h"
#include "quantcore/io/safetensors.h"

namespace quantlens_cli {

// A temporary directory beside the destination, removed unless committed: a cancelled or failed
// job never leaves anything under the final name.
class StagingDir {
public:
  explicit StagingDir(const std::filesystem::path& dest);
  ~StagingDir();
  StagingDir(const StagingDir&) = delete;
  StagingDir& operator=(const StagingDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  void commit(const std::filesystem::path& dest, bool force);

private:
  std::filesystem::path path_;
};

// The absolute destination; InputError when it exists, is not empty and `force` is not set.
std::filesystem::path checked_destination(const std::string& out, bool force);

// config.json for a written model: the source's (dtype float16, without quantization_config),
// or for a llama2.c import an HF LlamaForCausalLM config (wq/wk are already rotate-half).
nlohmann::json output_config(const quantcore::Checkpoint& ck);

void copy_tokenizer(const quantcore::Checkpoint& ck, const std::filesystem::path& dir);

// Adds a tensor (moved to CPU, contiguous) in its own dtype.
void add_tensor(quantcore::SafetensorsWriter& w, const std::string& name, const at::Tensor& t);

}  // namespace quantlens_cli
