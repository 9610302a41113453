#include "quantcore/quantize/reused_masks.h"

#include <cmath>
#include <cstring>

#include "quantcore/io/errors.h"
#include "quantcore/io/json_input.h"
#include "quantcore/io/safetensors.h"

namespace quantcore::quantize {

namespace fs = std::filesystem;

namespace {

std::string canonical_or_given(const std::string& p) {
  std::error_code ec;
  const fs::path c = fs::weakly_canonical(p, ec);
  return ec ? p : c.string();
}

void check_same_source(const fs::path& first_pass, const fs::path& model) {
  const fs::path summary = first_pass / "summary.json";
  if (!fs::exists(summary)) throw InputError(summary.string(), "does not exist: not a quantized directory");
  const nlohmann::json s = detail::read_json_file(summary);
  if (!s.is_object() || !s.contains("settings") || !s["settings"].is_object() || !s["settings"].contains("model"))
    throw InputError(summary.string(), "records no settings.model: not a QuantLens quantized directory");
  const std::string quantised = canonical_or_given(s["settings"].value("model", std::string()));
  const fs::path record = model / "preprocess.json";
  const std::string expected = fs::exists(record)
                                   ? canonical_or_given(detail::read_json_file(record).value("source", std::string()))
                                   : canonical_or_given(model.string());
  if (quantised != expected)
    throw InputError("--reuse-masks",
                     first_pass.string() + " quantised " + quantised + ", not " + expected +
                         (fs::exists(record) ? " (the model " + model.string() + " was preprocessed from)" : ""));
}

}  // namespace

ActivationStats reused_mask_statistics(const fs::path& first_pass, const ModelSpec& spec, const fs::path& model,
                                       double salient_ratio) {
  const fs::path file = first_pass / "quantization.safetensors";
  if (!fs::exists(file))
    throw InputError("--reuse-masks", first_pass.string() +
                                          " holds no quantization.safetensors (masks of a PTQ1.61 "
                                          "fake-quant directory, quantize --format hf)");
  check_same_source(first_pass, model);
  const SafetensorsFile masks(file);
  ActivationStats stats;
  for (int64_t block = 0; block < spec.num_layers; ++block)
    for (const LinearShape& l : block_linears(spec)) {
      const std::string name = "model.layers." + std::to_string(block) + "." + l.name + ".mask";
      const SafetensorsEntry* e = masks.entry(name);
      if (!e) throw InputError(file.string(), "has no mask " + name + ": not a PTQ1.61 run of this architecture");
      if (e->dtype != DType::BOOL || e->shape != std::vector<int64_t>{l.in_features})
        throw InputError(file.string(), name + " is not a bool vector of " + std::to_string(l.in_features) +
                                            " channels: the first pass quantised a model of other shapes");
      const TensorView v = masks.view(*e);
      LinearInputStats s;
      s.max_abs.resize(static_cast<size_t>(l.in_features));
      int64_t kept = 0;
      for (int64_t j = 0; j < l.in_features; ++j) {
        const bool salient = static_cast<const unsigned char*>(v.data)[j] != 0;
        s.max_abs[static_cast<size_t>(j)] = salient ? 1.0f : 0.0f;
        kept += salient;
      }
      const auto needed = static_cast<int64_t>(std::floor(salient_ratio * static_cast<double>(l.in_features)));
      if (kept <= needed)
        throw InputError("--reuse-masks", first_pass.string() + " kept " + std::to_string(kept) + " of " +
                                              std::to_string(l.in_features) + " channels in " + name +
                                              "; the salient ratio " + std::to_string(salient_ratio) +
                                              " asks for more (use the first pass's ratio)");
      s.mean_abs = s.max_abs;
      stats.linears[{block, l.name}] = std::move(s);
    }
  return stats;
}

}  // namespace quantcore::quantize
