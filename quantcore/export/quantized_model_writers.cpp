#include "quantcore/export/quantized_model_writers.h"

#include "quantcore/quantize/loss_csv.h"

#include <ATen/ATen.h>

#include <map>

#include "quantcore/export/bits_report.h"
#include "quantcore/export/model_directory.h"
#include "quantcore/export/staging_dir.h"
#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/peak_memory.h"
#include "quantcore/methods/quant_method.h"
#include "quantcore/model/add_tensor.h"
#include "quantcore/model/tensor_from_view.h"
#include "quantcore/pack/input_quantization_file.h"
#include "quantcore/pack/packed_format.h"

namespace quantcore::outputs {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const methods::QuantizedLinear& linear_of(const QuantizeResult& run, const packed::QuantizedWeight& q) {
  return run.quantized->linear(q.block, q.linear);
}

at::Tensor fp16_weight(const methods::QuantizedLinear& l) {
  std::vector<uint16_t> w = l.dequantize_f16();
  return at::from_blob(w.data(), {l.out_features(), l.in_features()}, at::kHalf).clone();
}

// The model weights: W' of the quantised linears, every other tensor as the source stores it.
void write_model_weights(const Checkpoint& ck, const methods::QuantizedModel& quantized, const fs::path& file,
                         const CancelToken& cancel) {
  std::map<std::string, const packed::QuantizedWeight*> layers;
  const auto weights = packed::quantized_weights(ck.spec);
  for (const auto& q : weights) layers[q.weight_name] = &q;
  SafetensorsWriter w;
  for (const auto& e : expected_tensors(ck.spec)) {
    cancel.throw_if_requested();
    if (auto it = layers.find(e.name); it != layers.end()) {
      add_tensor(w, e.name, fp16_weight(quantized.linear(it->second->block, it->second->linear)));
    } else {
      const TensorView v = *ck.weights->find(e.name);
      w.add(e.name, v.dtype, v.shape, v.data, v.nbytes);
    }
  }
  w.set_metadata("format", "pt");
  w.write(file);
}

// input_quantization.safetensors when any linear quantises its input (a linear without smoothing
// gets factors of 1).
void write_input_quantization_of(const ModelSpec& spec, const methods::QuantizedModel& quantized, const fs::path& dir) {
  std::map<std::string, InputQuantization> linears;
  for (const auto& q : packed::quantized_weights(spec)) {
    InputQuantization input = quantized.linear(q.block, q.linear).input_quantization();
    if (!input.enabled()) continue;
    if (input.smoothing.empty()) input.smoothing.assign(static_cast<size_t>(q.in_features), 1.0f);
    linears[q.prefix] = std::move(input);
  }
  if (!linears.empty()) write_input_quantization(dir / kInputQuantizationFile, linears);
}

}  // namespace

ModelBits run_model_bits(const QuantizeResult& run) {
  const methods::MethodSettings& s = run.settings.method;
  ModelBits mb;
  double paper_weighted = 0;
  for (const auto& q : packed::quantized_weights(run.source.checkpoint->spec)) {
    const methods::QuantizedLinear& l = linear_of(run, q);
    const methods::DeclaredBits declared = s.method().bits_of(s, l);
    LayerBits b;
    b.name = q.prefix;
    b.out_features = q.out_features;
    b.in_features = q.in_features;
    b.salient_columns = l.salient_columns();
    b.weights = q.out_features * q.in_features;
    b.total_bits = l.stored_bits();
    b.bits_per_weight = double(b.total_bits) / double(b.weights);
    b.paper.bits_per_weight = declared.paper;
    mb.quantized_weights += b.weights;
    mb.total_bits += b.total_bits;
    paper_weighted += declared.paper * double(b.weights);
    mb.layers.push_back(b);
  }
  mb.bits_per_weight = double(mb.total_bits) / double(mb.quantized_weights);
  mb.paper_bits_per_weight = paper_weighted / double(mb.quantized_weights);
  return mb;
}

json bits_json(const QuantizeResult& run) { return model_bits_json(run.source.checkpoint->spec, run_model_bits(run)); }

void write_fake_quant_model(const QuantizeResult& run, const fs::path& dir, const CancelToken& cancel) {
  const Checkpoint& ck = *run.source.checkpoint;
  write_text_atomically(dir / "config.json", output_config(ck).dump(2) + "\n");
  write_model_weights(ck, *run.quantized, dir / "model.safetensors", cancel);
  write_input_quantization_of(ck.spec, *run.quantized, dir);
  cancel.throw_if_requested();
  SafetensorsWriter w;
  for (const auto& block : run.quantized->blocks)
    for (const auto& l : block.linears)
      l->add_parameters(w, "model.layers." + std::to_string(block.block) + "." + l->linear() + ".");
  w.set_metadata("method", std::string(run.settings.method.method_name()));
  w.set_metadata("settings", quantize::settings_json(run.settings).dump());
  w.write(dir / "quantization.safetensors");
}

json write_packed_model(const QuantizeResult& run, const fs::path& dir, const CancelToken& cancel) {
  const Checkpoint& ck = *run.source.checkpoint;
  const methods::QuantMethod& method = run.settings.method.method();
  const std::optional<packed::FormatSettings> settings = method.packed_settings(run.settings.method);
  if (!settings)
    throw InputError("--format packed", std::string(method.name()) +
                                            " has no packed form; its runs export as --format hf or as a dense model");
  const auto layers = packed::quantized_weights(ck.spec);
  std::map<std::string, const PackedLinear*> stored;
  for (const auto& q : layers) stored[q.weight_name] = linear_of(run, q).packed();

  json config = output_config(ck);
  config["quantization_config"] = {
      {"quant_method", settings->method},         {"format", packed::kFormatName},
      {"format_version", packed::kFormatVersion}, {"salient_bits", settings->salient_bits},
      {"code_bits", settings->code_bits},         {"vector_dtype", vector_dtype_name(settings->vector_dtype)},
      {"weights_file", packed::kWeightsFile},     {"settings", quantize::settings_json(run.settings)}};
  write_text_atomically(dir / "config.json", config.dump(2) + "\n");
  cancel.throw_if_requested();
  const fs::path file = dir / packed::kWeightsFile;
  packed::write_packed_weights(file, ck.spec, *ck.weights, stored, *settings);
  return bits_from_bytes(SafetensorsFile(file), layers);
}

void write_dense_model(const Checkpoint& ck, const methods::QuantizedModel* quantized, const fs::path& dir,
                       ProgressSink& progress, const CancelToken& cancel) {
  write_text_atomically(dir / "config.json", output_config(ck).dump(2) + "\n");
  std::map<std::string, const packed::QuantizedWeight*> layers;
  const auto weights = packed::quantized_weights(ck.spec);
  if (quantized)
    for (const auto& q : weights) layers[q.weight_name] = &q;
  const auto expected = expected_tensors(ck.spec);
  progress.stage("dense fp16 export", static_cast<int64_t>(expected.size()));
  SafetensorsWriter w;
  int64_t done = 0;
  for (const auto& e : expected) {
    cancel.throw_if_requested();
    if (auto it = layers.find(e.name); it != layers.end())
      add_tensor(w, e.name, fp16_weight(quantized->linear(it->second->block, it->second->linear)));
    else
      add_tensor(w, e.name, tensor_from_view(*ck.weights->find(e.name), at::kHalf, at::Device(at::kCPU)));
    progress.advance(++done);
  }
  w.set_metadata("format", "pt");
  w.write(dir / "model.safetensors");
  // The input quantisation travels with the weights: from the run, or from a source directory
  // that was itself exported with it.
  if (quantized) {
    write_input_quantization_of(ck.spec, *quantized, dir);
  } else if (ck.format == CheckpointFormat::HfDirectory && fs::exists(ck.path / kInputQuantizationFile)) {
    write_input_quantization(dir / kInputQuantizationFile,
                             read_input_quantization(ck.path / kInputQuantizationFile, ck.spec));
  }
  copy_tokenizer(ck, dir);
  progress.finish();
}

std::string format_name(const QuantizeResult& run, OutputFormat format) {
  return format == OutputFormat::Packed ? packed::kFormatName : "hf";
}

// Each stored form's method-specific figures (QuantizedLinear::details), by weight prefix; the
// forms that have none are left out.
json linear_details_json(const QuantizeResult& run) {
  json out = json::object();
  for (const auto& q : packed::quantized_weights(run.source.checkpoint->spec))
    if (json d = linear_of(run, q).details(); !d.empty()) out[q.prefix] = std::move(d);
  return out;
}

json summary_json(const QuantizeResult& run, OutputFormat format, const fs::path& dest) {
  return {{"method", std::string(run.settings.method.method_name())},
          {"format", format_name(run, format)},
          {"model", run.source.checkpoint->path.string()},
          {"out", dest.string()},
          {"settings", quantize::settings_json(run.settings)},
          {"calib_tokens", run.calib_tokens},
          {"bits", bits_json(run)},
          {"linears", linear_details_json(run)},
          {"blocks", run.losses.summary_json()},
          {"notices", run.losses.notices()},
          {"seconds", run.seconds},
          {"peak_host_memory_bytes", peak_rss_bytes()}};
}

json write_quantized_directory(const QuantizeResult& run, OutputFormat format, const fs::path& dest, bool force,
                               const CancelToken& cancel, const json& extra,
                               const std::function<void(const fs::path& staging)>& fill_more) {
  json summary = summary_json(run, format, dest);
  for (const auto& [key, value] : extra.items()) summary[key] = value;
  StagingDir staging(dest);
  const fs::path& dir = staging.path();
  if (format == OutputFormat::Packed)
    summary["bits_from_bytes"] = write_packed_model(run, dir, cancel);
  else
    write_fake_quant_model(run, dir, cancel);
  copy_tokenizer(*run.source.checkpoint, dir);
  if (const auto events = quantize::events_in_step_order(run.losses); !events.empty())
    write_text_atomically(dir / quantize::kLossCsvName, quantize::loss_events_csv(events));
  write_text_atomically(dir / "summary.json", summary.dump(2) + "\n");
  cancel.throw_if_requested();
  if (fill_more) fill_more(dir);
  staging.commit(dest, force);
  return summary;
}

}  // namespace quantcore::outputs
