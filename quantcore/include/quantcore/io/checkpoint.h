#pragma once
#include <filesystem>
#include <memory>
#include <optional>

#include "quantcore/io/model_spec.h"
#include "quantcore/io/tensor_view.h"

namespace quantcore {

// Packed: a PTQ1.61 packed directory (quantcore/pack/open_model.h opens it; docs/packed-format.md).
enum class CheckpointFormat { HfDirectory, Llama2c, Packed };

// A model on disk: its architecture, its weights (checked against the architecture: every
// expected tensor present with the expected shape) and where its tokenizer lives.
struct Checkpoint {
  std::filesystem::path path;
  CheckpointFormat format = CheckpointFormat::HfDirectory;
  ModelSpec spec;
  std::unique_ptr<WeightSource> weights;
  std::filesystem::path tokenizer_path;  // a directory (HF) or a tok*.bin file (llama2.c)
};

// Opens an HF directory or a llama2.c .bin. For a .bin the tokenizer is `tokenizer_override`,
// else tokenizer.bin or the single tok*.bin beside it. For a directory it is the directory
// itself unless `tokenizer_override` is given.
Checkpoint open_checkpoint(const std::filesystem::path& path,
                           const std::optional<std::filesystem::path>& tokenizer_override = {});

// Throws InputError naming the first missing tensor or shape mismatch.
void validate_weights(const ModelSpec& spec, const WeightSource& weights, const std::string& origin);

}  // namespace quantcore
