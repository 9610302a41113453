#include <iostream>
#include <memory>

#include "command_support.h"
#include "commands.h"

namespace quantlens_cli {

namespace {
nlohmann::ordered_json describe(const quantcore::Checkpoint& c) {
  const quantcore::ModelSpec& s = c.spec;
  nlohmann::ordered_json j = {
      {"path", c.path.string()},
      {"format", c.format == quantcore::CheckpointFormat::Llama2c ? "llama2c" : "hf"},
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
      std::cout << j.dump() << std::endl;
    } else {
      for (auto& [key, value] : j.items()) std::cout << key << ": " << (value.is_string() ? value.get<std::string>() : value.dump()) << "\n";
    }
    return 0;
  };
}

}  // namespace quantlens_cli
