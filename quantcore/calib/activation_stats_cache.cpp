#include "quantcore/calib/activation_stats_cache.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "quantcore/io/errors.h"
#include "quantcore/io/safetensors.h"

namespace fs = std::filesystem;

namespace quantcore {

namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ull;
constexpr uint64_t kFnvPrime = 1099511628211ull;

uint64_t fnv1a(const void* data, size_t n, uint64_t h = kFnvOffset) {
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < n; ++i) {
    h ^= p[i];
    h *= kFnvPrime;
  }
  return h;
}

std::string hex16(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

std::string file_stamp(const fs::path& p) {
  const auto mtime = fs::last_write_time(p).time_since_epoch();
  return p.filename().string() + ":" + std::to_string(fs::file_size(p)) + ":" +
         std::to_string(std::chrono::duration_cast<std::chrono::nanoseconds>(mtime).count());
}

std::string tensor_name(int64_t block, const std::string& linear, const char* statistic) {
  return "blocks." + std::to_string(block) + "." + linear + "." + statistic;
}

// Reads one float32 vector of length n, or nothing when absent or of another shape.
std::optional<std::vector<float>> read_vector(const SafetensorsFile& file, const std::string& name, int64_t n) {
  const SafetensorsEntry* e = file.entry(name);
  if (!e || e->dtype != DType::F32 || e->shape != std::vector<int64_t>{n}) return std::nullopt;
  TensorView view = file.view(*e);
  std::vector<float> out(static_cast<size_t>(n));
  std::memcpy(out.data(), view.data, out.size() * sizeof(float));
  return out;
}

}  // namespace

std::string ActivationStatsKey::describe() const {
  std::ostringstream s;
  s << "model=" << model_identity << ";text=" << text_hash << ";nsamples=" << options.nsamples
    << ";seqlen=" << options.seqlen << ";seed=" << options.seed << ";compute=" << compute << ";version=" << version;
  return s.str();
}

std::string ActivationStatsKey::file_name() const {
  const std::string d = describe();
  return "activation-stats-" + hex16(fnv1a(d.data(), d.size())) + ".safetensors";
}

std::string model_identity(const fs::path& model_path) {
  const fs::path abs = fs::absolute(model_path).lexically_normal();
  std::string id = abs.string();
  if (fs::is_directory(abs)) {
    std::vector<fs::path> files;
    for (const fs::directory_entry& e : fs::directory_iterator(abs))
      if (e.is_regular_file()) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) id += "|" + file_stamp(f);
  } else {
    id += "|" + file_stamp(abs);
  }
  return id;
}

std::string text_fingerprint(const std::vector<int32_t>& ids) {
  return hex16(fnv1a(ids.data(), ids.size() * sizeof(int32_t)));
}

fs::path default_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg) return fs::path(xdg) / "quantlens";
  if (const char* home = std::getenv("HOME"); home && *home) return fs::path(home) / ".cache" / "quantlens";
  return fs::path(".quantlens-cache");
}

std::optional<ActivationStats> load_cached_activation_stats(const fs::path& cache_dir, const ActivationStatsKey& key,
                                                            const ModelSpec& spec) {
  const fs::path path = cache_dir / key.file_name();
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return std::nullopt;
  try {
    SafetensorsFile file(path);
    auto meta = file.metadata();
    if (meta["key"] != key.describe()) return std::nullopt;  // a hash collision or a stale file
    ActivationStats stats;
    stats.tokens = std::stoll(meta.at("tokens"));
    for (int64_t b = 0; b < spec.num_layers; ++b) {
      for (const LinearShape& l : block_linears(spec)) {
        auto max_abs = read_vector(file, tensor_name(b, l.name, "max_abs"), l.in_features);
        auto mean_abs = read_vector(file, tensor_name(b, l.name, "mean_abs"), l.in_features);
        if (!max_abs || !mean_abs) return std::nullopt;
        stats.linears[{b, l.name}] = {std::move(*max_abs), std::move(*mean_abs)};
      }
    }
    return stats;
  } catch (const InputError&) {
    return std::nullopt;
  } catch (const std::logic_error&) {  // missing or malformed "tokens"
    return std::nullopt;
  }
}

void store_activation_stats(const fs::path& cache_dir, const ActivationStatsKey& key, const ActivationStats& stats) {
  fs::create_directories(cache_dir);
  SafetensorsWriter writer;
  writer.set_metadata("key", key.describe());
  writer.set_metadata("tokens", std::to_string(stats.tokens));
  for (const auto& [id, s] : stats.linears) {
    const auto n = static_cast<int64_t>(s.max_abs.size());
    writer.add(tensor_name(id.first, id.second, "max_abs"), DType::F32, {n}, s.max_abs.data(),
               s.max_abs.size() * sizeof(float));
    writer.add(tensor_name(id.first, id.second, "mean_abs"), DType::F32, {n}, s.mean_abs.data(),
               s.mean_abs.size() * sizeof(float));
  }
  writer.write(cache_dir / key.file_name());
}

}  // namespace quantcore
