#include "quantcore/export/quantized_model_writers.h"

#include <ATen/ATen.h>

#include <map>

#include "add_tensor.h"
#include "quantcore/export/bits_report.h"
#include "quantcore/export/model_directory.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/tensor_from_view.h"
#include "quantcore/optimize/ptq161_pass.h"
#include "quantcore/pack/packed_format.h"

namespace quantcore::outputs {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const LinearQuantization& linear_of(const QuantizedRun& run, const packed::QuantizedWeight& q) {
  const auto& block = run.result.blocks.at(static_cast<size_t>(q.block));
  for (const auto& l : block.linears)
    if (l.name == q.linear) return l;
  throw std::logic_error("no quantisation result for " + q.weight_name);
}

}  // namespace

std::vector<int64_t> salient_counts(const QuantizedRun& run) {
  std::vector<int64_t> salient;
  for (const auto& q : packed::quantized_weights(run.checkpoint.spec))
    salient.push_back(linear_of(run, q).stored.salient_count());
  return salient;
}

json formula_bits(const QuantizedRun& run) {
  return formula_bits(run.checkpoint.spec, packed::quantized_weights(run.checkpoint.spec), salient_counts(run),
                      run.options.salient_bits, run.options.vector_dtype);
}

ModelBits formula_model_bits(const QuantizedRun& run) {
  return formula_model_bits(packed::quantized_weights(run.checkpoint.spec), salient_counts(run),
                            run.options.salient_bits, run.options.vector_dtype);
}

void write_fake_quant_model(const QuantizedRun& run, const fs::path& dir, const CancelToken& cancel) {
  const Checkpoint& ck = run.checkpoint;
  write_text_atomically(dir / "config.json", output_config(ck).dump(2) + "\n");
  std::map<std::string, const packed::QuantizedWeight*> quantised;
  const auto layers = packed::quantized_weights(ck.spec);
  for (const auto& q : layers) quantised[q.weight_name] = &q;
  {
    SafetensorsWriter w;
    for (const auto& e : expected_tensors(ck.spec)) {
      cancel.throw_if_requested();
      if (auto it = quantised.find(e.name); it != quantised.end()) {
        // W' is fp16-representable (spec §4.3): the cast is exact.
        add_tensor(w, e.name, run.model.linear_weight(it->second->block, it->second->linear).to(at::kHalf));
      } else {
        const TensorView v = *ck.weights->find(e.name);
        w.add(e.name, v.dtype, v.shape, v.data, v.nbytes);
      }
    }
    w.set_metadata("format", "pt");
    w.write(dir / "model.safetensors");
  }
  cancel.throw_if_requested();
  {
    SafetensorsWriter w;
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

json write_packed_model(const QuantizedRun& run, const fs::path& dir, const CancelToken& cancel) {
  const Checkpoint& ck = run.checkpoint;
  packed::FormatSettings settings;
  settings.vector_dtype = run.options.vector_dtype;
  settings.salient_bits = run.options.salient_bits;
  settings.code_bits = run.options.salient_bits <= 4 ? 4 : 8;

  json config = output_config(ck);
  config["quantization_config"] = {{"quant_method", "ptq161"},
                                   {"format", packed::kFormatName},
                                   {"format_version", packed::kFormatVersion},
                                   {"salient_bits", settings.salient_bits},
                                   {"code_bits", settings.code_bits},
                                   {"salient_ratio", run.options.salient_ratio},
                                   {"vector_dtype", vector_dtype_name(settings.vector_dtype)},
                                   {"weights_file", packed::kWeightsFile}};
  write_text_atomically(dir / "config.json", config.dump(2) + "\n");

  const auto layers = packed::quantized_weights(ck.spec);
  std::map<std::string, const PackedLinear*> stored;
  for (const auto& q : layers) stored[q.weight_name] = &linear_of(run, q).stored;
  cancel.throw_if_requested();
  const fs::path file = dir / packed::kWeightsFile;
  packed::write_packed_weights(file, ck.spec, *ck.weights, stored, settings);
  return bits_from_bytes(SafetensorsFile(file), layers);
}

void write_dense_model(const Checkpoint& ck, const CausalLM* quantized, const fs::path& dir, ProgressSink& progress,
                       const CancelToken& cancel) {
  write_text_atomically(dir / "config.json", output_config(ck).dump(2) + "\n");
  std::map<std::string, const packed::QuantizedWeight*> quantised;
  const auto layers = packed::quantized_weights(ck.spec);
  if (quantized)
    for (const auto& q : layers) quantised[q.weight_name] = &q;
  const auto expected = expected_tensors(ck.spec);
  progress.stage("dense fp16 export", static_cast<int64_t>(expected.size()));
  SafetensorsWriter w;
  int64_t done = 0;
  for (const auto& e : expected) {
    cancel.throw_if_requested();
    if (auto it = quantised.find(e.name); it != quantised.end())
      add_tensor(w, e.name, quantized->linear_weight(it->second->block, it->second->linear).to(at::kHalf));
    else
      add_tensor(w, e.name, tensor_from_view(*ck.weights->find(e.name), at::kHalf, at::Device(at::kCPU)));
    progress.advance(++done);
  }
  w.set_metadata("format", "pt");
  w.write(dir / "model.safetensors");
  copy_tokenizer(ck, dir);
  progress.finish();
}

}  // namespace quantcore::outputs
