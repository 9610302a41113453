#include "quantcore/pack/packed_checkpoint.h"

#include <fstream>
#include <nlohmann/json.hpp>

#include "quantcore/io/errors.h"
#include "quantcore/io/hf_config.h"

namespace quantcore {

namespace fs = std::filesystem;

PackedCheckpoint::PackedCheckpoint(const fs::path& dir, const ModelSpec& spec) {
  const fs::path path = dir / packed::kWeightsFile;
  if (!fs::is_regular_file(path))
    throw InputError(path.string(), "missing (a packed directory holds its weights here)");
  file_ = std::make_unique<SafetensorsFile>(path);
  settings_ = packed::read_format_settings(*file_);
  // Every block linear is several tensors of the file: a layer count beyond the tensors it holds
  // (a crafted config.json) is refused before the list of linears, which grows with it, is built.
  if (spec.num_layers < 0 || static_cast<uint64_t>(spec.num_layers) > file_->entries().size())
    throw InputError(path.string(), "the config declares " + std::to_string(spec.num_layers) +
                                        " layers, more than the " + std::to_string(file_->entries().size()) +
                                        " tensors the file holds");
  quantized_ = packed::quantized_weights(spec);
  for (const packed::QuantizedWeight& q : quantized_) {
    PackedLinear l = packed::read_packed_linear(*file_, q, settings_);
    salient_counts_.push_back(l.salient_count());
    linears_.emplace(q.weight_name, std::move(l));
  }
}

const PackedLinear* PackedCheckpoint::packed_linear(const std::string& weight_name) const {
  const auto it = linears_.find(weight_name);
  return it == linears_.end() ? nullptr : &it->second;
}

std::optional<TensorView> PackedCheckpoint::find(const std::string& name) const {
  const PackedLinear* l = packed_linear(name);
  if (!l) {
    const SafetensorsEntry* e = file_->entry(name);
    if (!e) return std::nullopt;
    return file_->view(*e);
  }
  const std::lock_guard<std::mutex> lock(dense_mutex_);
  auto it = dense_.find(name);
  if (it == dense_.end()) it = dense_.emplace(name, dequantize_f16(*l)).first;
  TensorView v = *describe(name);
  v.data = it->second.data();
  v.nbytes = it->second.size() * sizeof(uint16_t);
  return v;
}

std::optional<TensorView> PackedCheckpoint::describe(const std::string& name) const {
  const PackedLinear* l = packed_linear(name);
  if (!l) return find(name);
  TensorView v;
  v.dtype = DType::F16;
  v.shape = {l->out_features, l->in_features};
  return v;
}

std::vector<std::string> PackedCheckpoint::names() const {
  std::vector<std::string> out;
  for (const SafetensorsEntry& e : file_->entries()) out.push_back(e.name);
  for (const auto& [name, linear] : linears_) out.push_back(name);
  return out;
}

std::string PackedCheckpoint::location(const std::string&) const { return file_->path().string(); }

bool is_packed_directory(const fs::path& path) {
  const fs::path config = path / "config.json";
  if (!fs::is_directory(path) || !fs::is_regular_file(config)) return false;
  std::ifstream in(config);
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;  // open_checkpoint reports the broken config.json
  const auto q = j.find("quantization_config");
  if (q == j.end() || !q->is_object()) return false;
  const auto f = q->find("format");
  return f != q->end() && f->is_string() && f->get<std::string>() == packed::kFormatName;
}

Checkpoint open_model_checkpoint(const fs::path& path, const std::optional<fs::path>& tokenizer_override) {
  if (!is_packed_directory(path)) return open_checkpoint(path, tokenizer_override);
  Checkpoint c;
  c.path = path;
  c.format = CheckpointFormat::Packed;
  c.spec = parse_hf_config(path / "config.json");
  c.weights = std::make_unique<PackedCheckpoint>(path, c.spec);
  if (tokenizer_override && !fs::exists(*tokenizer_override))
    throw InputError(tokenizer_override->string(), "tokenizer does not exist");
  c.tokenizer_path = tokenizer_override ? *tokenizer_override : path;
  validate_weights(c.spec, *c.weights, path.string());
  return c;
}

}  // namespace quantcore
