#include "quantcore/io/checkpoint.h"

#include <algorithm>

#include "quantcore/io/json_input.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/hf_config.h"
#include "quantcore/io/llama2c.h"
#include "quantcore/io/safetensors.h"

namespace quantcore {
namespace {

namespace fs = std::filesystem;
using detail::in_quotes;

bool is_float(DType d) { return d == DType::F32 || d == DType::F16 || d == DType::BF16; }

fs::path existing_tokenizer(const fs::path& path) {
  if (!fs::exists(path)) throw InputError(path.string(), "tokenizer does not exist");
  return path;
}

Checkpoint open_hf_directory(const fs::path& dir, const std::optional<fs::path>& tokenizer) {
  const fs::path config = dir / "config.json";
  if (!fs::is_regular_file(config)) {
    throw InputError(dir.string(), "missing config.json (not an HF model directory)");
  }
  Checkpoint c;
  c.path = dir;
  c.format = CheckpointFormat::HfDirectory;
  c.spec = parse_hf_config(config);
  c.weights = std::make_unique<SafetensorsCheckpoint>(dir);
  // An explicit tokenizer wins here too: ignoring a flag the user gave would be a surprise.
  c.tokenizer_path = tokenizer ? existing_tokenizer(*tokenizer) : dir;
  return c;
}

// The override, else tokenizer.bin beside the checkpoint, else the one tok*.bin there.
fs::path find_llama2c_tokenizer(const fs::path& bin, const std::optional<fs::path>& tokenizer) {
  if (tokenizer) return existing_tokenizer(*tokenizer);
  const fs::path dir = bin.has_parent_path() ? bin.parent_path() : fs::path(".");
  if (fs::is_regular_file(dir / "tokenizer.bin")) return dir / "tokenizer.bin";

  std::vector<fs::path> candidates;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.starts_with("tok") && e.path().extension() == ".bin" &&
        !fs::equivalent(e.path(), bin)) {
      candidates.push_back(e.path());
    }
  }
  if (candidates.size() == 1) return candidates.front();
  if (candidates.empty()) {
    throw InputError(bin.string(), "no tokenizer.bin or tok*.bin beside it; pass --tokenizer");
  }
  std::sort(candidates.begin(), candidates.end());
  std::string listed;
  for (const fs::path& p : candidates) {
    listed += (listed.empty() ? "" : ", ") + p.filename().string();
  }
  throw InputError(bin.string(), "several tokenizers beside it (" + listed + "); pass --tokenizer to choose one");
}

Checkpoint open_llama2c(const fs::path& bin, const std::optional<fs::path>& tokenizer) {
  auto weights = std::make_unique<Llama2cCheckpoint>(bin);
  Checkpoint c;
  c.path = bin;
  c.format = CheckpointFormat::Llama2c;
  c.spec = weights->spec();
  c.weights = std::move(weights);
  c.tokenizer_path = find_llama2c_tokenizer(bin, tokenizer);
  return c;
}

}  // namespace

Checkpoint open_checkpoint(const fs::path& path, const std::optional<fs::path>& tokenizer_override) {
  Checkpoint c;
  if (fs::is_directory(path)) {
    c = open_hf_directory(path, tokenizer_override);
  } else if (fs::is_regular_file(path) && path.extension() == ".bin") {
    c = open_llama2c(path, tokenizer_override);
  } else if (!fs::exists(path)) {
    throw InputError(path.string(), "does not exist");
  } else {
    throw InputError(path.string(), "not an HF model directory or a llama2.c .bin");
  }
  validate_weights(c.spec, *c.weights, path.string());
  return c;
}

void validate_weights(const ModelSpec& spec, const WeightSource& weights, const std::string& origin) {
  // Each layer holds several tensors: a layer count beyond the tensors the files hold is refused
  // before the list of expected tensors (which grows with it) is built.
  const size_t held = weights.names().size();
  if (spec.num_layers < 0 || static_cast<uint64_t>(spec.num_layers) > held)
    throw InputError(origin, "the config declares " + std::to_string(spec.num_layers) +
                                 " layers, more than the " + std::to_string(held) + " tensors the weights hold");
  for (const ExpectedTensor& expected : expected_tensors(spec)) {
    const auto found = weights.describe(expected.name);
    if (!found) throw InputError(origin, "missing tensor " + in_quotes(expected.name));
    if (found->shape != expected.shape) {
      throw InputError(weights.location(expected.name),
                       "tensor " + in_quotes(expected.name) + " has shape " + detail::shape_string(found->shape) +
                           " but config.json implies " + detail::shape_string(expected.shape));
    }
    if (!is_float(found->dtype)) {
      throw InputError(weights.location(expected.name), "tensor " + in_quotes(expected.name) + " has dtype " +
                                                            safetensors_name(found->dtype) +
                                                            "; weights must be F32, F16 or BF16");
    }
  }
}

}  // namespace quantcore
