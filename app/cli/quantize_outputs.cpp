#include "quantize_outputs.h"

#include <ATen/ATen.h>

#include <map>

#include "bits_report.h"
#include "output_directory.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/pack/packed_format.h"

namespace quantlens_cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const quantcore::LinearQuantization& linear_of(const QuantizeOutcome& run, const quantcore::packed::QuantizedWeight& q) {
  const auto& block = run.result.blocks.at(static_cast<size_t>(q.block));
  for (const auto& l : block.linears)
    if (l.name == q.linear) return l;
  throw std::logic_error("no quantisation result for " + q.weight_name);
}

}  // namespace

json formula_bits(const QuantizeOutcome& run) {
  const auto layers = quantcore::packed::quantized_weights(run.loaded.checkpoint.spec);
  std::vector<int64_t> salient;
  for (const auto& q : layers) salient.push_back(linear_of(run, q).stored.salient_count());
  return formula_bits(run.loaded.checkpoint.spec, layers, salient, run.options.salient_bits, run.options.vector_dtype);
}

void write_fake_quant_model(const QuantizeOutcome& run, const fs::path& dir) {
  const quantcore::Checkpoint& ck = run.loaded.checkpoint;
  quantcore::write_text_atomically(dir / "config.json", output_config(ck).dump(2) + "\n");
  std::map<std::string, const quantcore::packed::QuantizedWeight*> quantised;
  const auto layers = quantcore::packed::quantized_weights(ck.spec);
  for (const auto& q : layers) quantised[q.weight_name] = &q;
  {
    quantcore::SafetensorsWriter w;
    for (const auto& e : quantcore::expected_tensors(ck.spec)) {
      if (auto it = quantised.find(e.name); it != quantised.end()) {
        // W' is fp16-representable (spec §4.3): the cast is exact.
        add_tensor(w, e.name, run.loaded.lm->linear_weight(it->second->block, it->second->linear).to(at::kHalf));
      } else {
        const quantcore::TensorView v = *ck.weights->find(e.name);
        w.add(e.name, v.dtype, v.shape, v.data, v.nbytes);
      }
    }
    w.set_metadata("format", "pt");
    w.write(dir / "model.safetensors");
  }
  {
    quantcore::SafetensorsWriter w;
    for (const auto& block : run.result.blocks) {
      for (const auto& l : block.linears) {
        const std::string p = "model.layers." + std::to_string(block.block) + "." + l.name + ".";
        const std::pair<const char*, const at::Tensor*> fields[] = {
            {"mask", &l.mask}, {"mean", &l.mean},   {"alpha", &l.alpha}, {"r1", &l.r1},
            {"r2", &l.r2},     {"scale", &l.scale}, {"zero", &l.zero},   {"codes", &l.codes}};
        for (const auto& [f, t] : fields)
          if (t->defined()) add_tensor(w, p + f, *t);
      }
    }
    w.set_metadata("method", "ptq161");
    w.write(dir / "quantization.safetensors");
  }
}

json write_packed_model(const QuantizeOutcome& run, const fs::path& dir) {
  const quantcore::Checkpoint& ck = run.loaded.checkpoint;
  quantcore::packed::FormatSettings settings;
  settings.vector_dtype = run.options.vector_dtype;
  settings.salient_bits = run.options.salient_bits;
  settings.code_bits = run.options.salient_bits <= 4 ? 4 : 8;

  json config = output_config(ck);
  config["quantization_config"] = {{"quant_method", "ptq161"},
                                   {"format", quantcore::packed::kFormatName},
                                   {"format_version", quantcore::packed::kFormatVersion},
                                   {"salient_bits", settings.salient_bits},
                                   {"code_bits", settings.code_bits},
                                   {"salient_ratio", run.options.salient_ratio},
                                   {"vector_dtype", quantcore::vector_dtype_name(settings.vector_dtype)},
                                   {"weights_file", quantcore::packed::kWeightsFile}};
  quantcore::write_text_atomically(dir / "config.json", config.dump(2) + "\n");

  const auto layers = quantcore::packed::quantized_weights(ck.spec);
  std::map<std::string, const quantcore::PackedLinear*> stored;
  for (const auto& q : layers) stored[q.weight_name] = &linear_of(run, q).stored;
  const fs::path file = dir / quantcore::packed::kWeightsFile;
  quantcore::packed::write_packed_weights(file, ck.spec, *ck.weights, stored, settings);
  return bits_from_bytes(quantcore::SafetensorsFile(file), layers);
}

}  // namespace quantlens_cli
