#include "quantcore/io/json_input.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/safetensors.h"

namespace quantcore {
namespace {

namespace fs = std::filesystem;
using detail::in_quotes;

constexpr const char* kSingleFile = "model.safetensors";
constexpr const char* kIndexFile = "model.safetensors.index.json";

// OPT checkpoints saved from OPTModel rather than OPTForCausalLM (and some older conversions)
// name their tensors "decoder.*" instead of "model.decoder.*". Lookups by the HF name fall back
// to the short one, so validation and the model loader only ever use expected_tensors() names;
// names() still lists what the files really hold.
constexpr std::string_view kOptLongPrefix = "model.decoder.";
constexpr std::string_view kOptShortPrefix = "decoder.";

using TensorFiles = std::map<std::string, std::size_t>;

TensorFiles::const_iterator find_by_hf_name(const TensorFiles& where, const std::string& name) {
  auto it = where.find(name);
  if (it == where.end() && name.starts_with(kOptLongPrefix)) {
    it = where.find(std::string(kOptShortPrefix) + name.substr(kOptLongPrefix.size()));
  }
  return it;
}

// The shard files named by the index's weight_map, in first-mention order, and which shard
// each listed tensor should be in.
struct ShardIndex {
  std::vector<std::string> shards;
  std::vector<std::pair<std::string, std::size_t>> listed;  // tensor -> index into shards
};

ShardIndex read_shard_index(const fs::path& index_path) {
  const std::string file = index_path.string();
  const nlohmann::json index = detail::read_json_file(index_path);
  if (!index.is_object()) throw InputError(file, "not a JSON object");
  const auto map = index.find("weight_map");
  if (map == index.end()) throw InputError(file, "missing field 'weight_map'");
  if (!map->is_object()) {
    throw InputError(file, "'weight_map' is " + detail::json_kind(*map) + ", not an object");
  }
  if (map->empty()) throw InputError(file, "'weight_map' names no tensors");

  ShardIndex out;
  std::map<std::string, std::size_t> shard_number;
  for (const auto& [tensor, shard] : map->items()) {
    if (!shard.is_string()) {
      throw InputError(
          file, "shard of tensor " + in_quotes(tensor) + " is " + detail::json_kind(shard) + ", not a file name");
    }
    const std::string name = shard.get<std::string>();
    // One plain file name: "../x" or "/x" would load weights from outside the model folder.
    // (The file itself may be a link, as in the HF hub cache; only the name is checked.)
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find('\0') != std::string::npos) {
      throw InputError(file, "shard " + in_quotes(name) + " is not a file name inside the folder");
    }
    const auto [it, is_new] = shard_number.emplace(name, out.shards.size());
    if (is_new) out.shards.push_back(name);
    out.listed.emplace_back(tensor, it->second);
  }
  return out;
}

}  // namespace

SafetensorsCheckpoint::SafetensorsCheckpoint(const fs::path& dir) {
  auto add_file = [this](const fs::path& path) {
    files_.push_back(std::make_unique<SafetensorsFile>(path));
    const std::size_t number = files_.size() - 1;
    for (const SafetensorsEntry& e : files_.back()->entries()) {
      const auto [it, is_new] = where_.emplace(e.name, number);
      if (!is_new) {
        throw InputError(path.string(), "tensor " + in_quotes(e.name) + " is also in " +
                                            in_quotes(files_[it->second]->path().string()));
      }
    }
  };

  const fs::path index_path = dir / kIndexFile;
  if (fs::exists(index_path)) {
    const ShardIndex index = read_shard_index(index_path);
    for (const std::string& shard : index.shards) {
      std::error_code ec;  // a name the system refuses (longer than NAME_MAX) is this file's problem too
      if (!fs::is_regular_file(dir / shard, ec)) {
        throw InputError(index_path.string(), "shard " + in_quotes(shard) + " does not exist (missing shard file" +
                                                  (ec ? ": " + ec.message() : std::string()) + ")");
      }
      add_file(dir / shard);
    }
    for (const auto& [tensor, shard] : index.listed) {
      if (files_[shard]->entry(tensor) == nullptr) {
        throw InputError(files_[shard]->path().string(), "tensor " + in_quotes(tensor) + " is listed in " + kIndexFile +
                                                             " for this shard but not in it");
      }
    }
    return;
  }
  if (fs::exists(dir / kSingleFile)) {
    add_file(dir / kSingleFile);
    return;
  }
  std::string problem = "no model.safetensors or model.safetensors.index.json";
  if (fs::exists(dir / "pytorch_model.bin") || fs::exists(dir / "pytorch_model.bin.index.json")) {
    problem += " (PyTorch .bin weights are not supported; convert them to safetensors)";
  }
  throw InputError(dir.string(), problem);
}

std::optional<TensorView> SafetensorsCheckpoint::find(const std::string& name) const {
  const auto it = find_by_hf_name(where_, name);
  if (it == where_.end()) return std::nullopt;
  const SafetensorsFile& file = *files_[it->second];
  return file.view(*file.entry(it->first));
}

std::vector<std::string> SafetensorsCheckpoint::names() const {
  std::vector<std::string> out;
  out.reserve(where_.size());
  for (const auto& [name, file] : where_) out.push_back(name);
  return out;
}

std::string SafetensorsCheckpoint::location(const std::string& name) const {
  const auto it = find_by_hf_name(where_, name);
  if (it == where_.end()) return files_.empty() ? std::string() : files_.front()->path().string();
  return files_[it->second]->path().string();
}

}  // namespace quantcore
