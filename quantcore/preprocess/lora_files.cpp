#include "quantcore/preprocess/lora_files.h"

#include <ATen/ATen.h>

#include <algorithm>

#include "quantcore/io/atomic_write.h"
#include "quantcore/io/errors.h"
#include "quantcore/io/safetensors.h"
#include "quantcore/model/add_tensor.h"
#include "quantcore/model/tensor_from_view.h"

namespace quantcore::preprocess {

namespace fs = std::filesystem;

namespace {

constexpr const char* kGeneratorTensor = "dropout_generator_state";

struct Field {
  const char* suffix;
  at::Tensor AdaptedLinear::*member;
};
constexpr Field kFields[] = {
    {".lora_A.weight", &AdaptedLinear::a},      {".lora_B.weight", &AdaptedLinear::b},
    {".lora_A.exp_avg", &AdaptedLinear::a_avg}, {".lora_A.exp_avg_sq", &AdaptedLinear::a_avg_sq},
    {".lora_B.exp_avg", &AdaptedLinear::b_avg}, {".lora_B.exp_avg_sq", &AdaptedLinear::b_avg_sq}};

}  // namespace

void write_checkpoint(const fs::path& file, const LoraState& state, const at::Tensor& generator_state,
                      const nlohmann::json& identity) {
  SafetensorsWriter w;
  for (const AdaptedLinear& l : state.linears)
    for (const Field& f : kFields) add_tensor(w, l.prefix + f.suffix, l.*f.member);
  if (generator_state.defined()) add_tensor(w, kGeneratorTensor, generator_state);
  w.set_metadata("steps_done", std::to_string(state.steps_done));
  w.set_metadata("identity", identity.dump());
  w.write(file);
}

CheckpointContents read_checkpoint(const fs::path& file, LoraState& state, const nlohmann::json& identity) {
  const SafetensorsFile f(file);
  const auto& meta = f.metadata();
  const auto id = meta.find("identity");
  const auto steps = meta.find("steps_done");
  if (id == meta.end() || steps == meta.end()) throw InputError(file.string(), "is not a QuantLens LoRA checkpoint");
  if (nlohmann::json::parse(id->second, nullptr, false) != identity)
    throw InputError(file.string(),
                     "was written by a run with other LoRA settings, training text or model; "
                     "start over without --resume (or with --force)");
  at::NoGradGuard no_grad;
  for (AdaptedLinear& l : state.linears)
    for (const Field& field : kFields) {
      const std::string name = l.prefix + field.suffix;
      const SafetensorsEntry* e = f.entry(name);
      at::Tensor& slot = l.*field.member;
      if (!e || e->shape != slot.sizes().vec())
        throw InputError(file.string(), "has no tensor " + name + " of shape " + std::to_string(slot.size(0)) + " x " +
                                            std::to_string(slot.size(1)));
      slot.copy_(tensor_from_view(f.view(*e), at::kFloat, slot.device()));
    }
  CheckpointContents out;
  out.steps_done = std::stoll(steps->second);
  if (const SafetensorsEntry* e = f.entry(kGeneratorTensor))
    out.generator_state = tensor_from_view(f.view(*e), at::kByte, at::Device(at::kCPU));
  state.steps_done = out.steps_done;
  return out;
}

void write_peft_adapter(const fs::path& dir, const LoraState& state, const std::string& base_model) {
  SafetensorsWriter w;
  std::vector<std::string> modules;
  for (const AdaptedLinear& l : state.linears) {
    add_tensor(w, "base_model.model." + l.prefix + ".lora_A.weight", l.a);
    add_tensor(w, "base_model.model." + l.prefix + ".lora_B.weight", l.b);
    const std::string module = l.linear.substr(l.linear.rfind('.') + 1);
    if (std::find(modules.begin(), modules.end(), module) == modules.end()) modules.push_back(module);
  }
  w.set_metadata("format", "pt");
  w.write(dir / kAdapterWeightsFile);
  const nlohmann::json config = {{"peft_type", "LORA"},
                                 {"task_type", "CAUSAL_LM"},
                                 {"r", state.settings.rank},
                                 {"lora_alpha", state.settings.alpha},
                                 {"lora_dropout", state.settings.dropout},
                                 {"target_modules", modules},
                                 {"bias", "none"},
                                 {"fan_in_fan_out", false},
                                 {"inference_mode", true},
                                 {"base_model_name_or_path", base_model}};
  write_text_atomically(dir / kAdapterConfigFile, config.dump(2) + "\n");
}

}  // namespace quantcore::preprocess
