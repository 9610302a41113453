#include <iostream>
#include <memory>

#include "quantcore/export/bits_report.h"
#include "command_support.h"
#include "commands.h"
#include "quantcore/pack/packed_checkpoint.h"

namespace quantlens_cli {

namespace {
const char* format_name(quantcore::CheckpointFormat f) {
  switch (f) {
    case quantcore::CheckpointFormat::Llama2c: return "llama2c";
    case quantcore::CheckpointFormat::Packed: return quantcore::packed::kFormatName;
    case quantcore::CheckpointFormat::HfDirectory: break;
  }
  return "hf";
}

// Method, stored widths and bits per weight of a packed checkpoint (formula and measured bytes).
void describe_packed(const quantcore::PackedCheckpoint& p, const quantcore::ModelSpec& spec,
                     nlohmann::ordered_json& j) {
  const auto& s = p.settings();
  const nlohmann::json formula =
      quantcore::outputs::formula_bits(spec, p.quantized(), p.salient_counts(), s.salient_bits, s.vector_dtype);
  const nlohmann::json bytes = quantcore::outputs::bits_from_bytes(p.file(), p.quantized());
  j["method"] = s.method;
  j["format_version"] = quantcore::packed::kFormatVersion;
  j["salient_bits"] = s.salient_bits;
  j["vector_dtype"] = quantcore::vector_dtype_name(s.vector_dtype);
  j["quantized_weights"] = formula.at("quantized_weights");
  j["bits_per_weight"] = formula.at("bits_per_weight");
  j["paper_bits_per_weight"] = formula.at("paper_bits_per_weight");
  j["bits_per_weight_from_bytes"] = bytes.at("bits_per_weight");
}

nlohmann::ordered_json describe(const quantcore::Checkpoint& c) {
  const quantcore::ModelSpec& s = c.spec;
  nlohmann::ordered_json j = {
      {"path", c.path.string()},
      {"format", format_name(c.format)},
      {"architecture", s.model_type},
      {"family", quantcore::family_name(s.family)},
      {"hidden_size", s.hidden_size},
      {"intermediate_size", s.intermediate_size},
      {"num_layers", s.num_layers},
      {"num_heads", s.num_heads},
      {"num_kv_heads", s.num_kv_heads},
      {"head_dim", s.head_dim},
      {"vocab_size", s.vocab_size},
      {"max_position_embeddings", s.max_position_embeddings},
      {"tie_word_embeddings", s.tie_word_embeddings},
      {"stored_dtype", s.stored_dtype},
      {"parameters", quantcore::parameter_count(s)},
  };
  if (s.family == quantcore::Family::Llama) {
    j["rope_theta"] = s.rope.theta;
    j["rope_type"] = s.rope.type;
    j["rms_norm_eps"] = s.norm_eps;
  } else {
    j["do_layer_norm_before"] = s.do_layer_norm_before;
    j["word_embed_proj_dim"] = s.word_embed_proj_dim;
  }
  if (const auto* p = dynamic_cast<const quantcore::PackedCheckpoint*>(c.weights.get())) describe_packed(*p, s, j);
  return j;
}
}  // namespace

void define_info(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto out = std::make_shared<OutputArgs>();
  model->add_to(sub);
  out->add_to(sub);
  action = [model, out] {
    nlohmann::ordered_json j = describe(model->open());
    if (out->json) {
      std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
    } else {
      for (auto& [key, value] : j.items())
        std::cout << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
    }
    return 0;
  };
}

}  // namespace quantlens_cli
