#include "quantcore/export/model_directory.h"

#include "quantcore/io/errors.h"
#include "quantcore/io/read_file.h"

namespace quantcore::outputs {

namespace fs = std::filesystem;
using nlohmann::json;

json output_config(const Checkpoint& ck) {
  const ModelSpec& s = ck.spec;
  if (ck.format != CheckpointFormat::Llama2c) {
    json c = json::parse(read_file(ck.path / "config.json"));
    if (c.contains("dtype"))
      c["dtype"] = "float16";
    else
      c["torch_dtype"] = "float16";
    c.erase("quantization_config");
    return c;
  }
  json c = {{"architectures", {"LlamaForCausalLM"}},
            {"model_type", "llama"},
            {"hidden_size", s.hidden_size},
            {"intermediate_size", s.intermediate_size},
            {"num_hidden_layers", s.num_layers},
            {"num_attention_heads", s.num_heads},
            {"num_key_value_heads", s.num_kv_heads},
            {"head_dim", s.head_dim},
            {"vocab_size", s.vocab_size},
            {"max_position_embeddings", s.max_position_embeddings},
            {"rms_norm_eps", s.norm_eps},
            {"rope_theta", s.rope.theta},
            {"hidden_act", "silu"},
            {"attention_bias", false},
            {"mlp_bias", false},
            {"tie_word_embeddings", s.tie_word_embeddings},
            {"torch_dtype", "float16"}};
  if (s.bos_token_id) c["bos_token_id"] = *s.bos_token_id;
  if (s.eos_token_id) c["eos_token_id"] = *s.eos_token_id;
  return c;
}

void copy_tokenizer(const Checkpoint& ck, const fs::path& dir) {
  const fs::path& tok = ck.tokenizer_path;
  if (fs::is_directory(tok)) {
    for (const char* f : {"tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json",
                          "vocab.json", "merges.txt", "generation_config.json", "tokenizer.bin"}) {
      if (fs::is_regular_file(tok / f)) fs::copy_file(tok / f, dir / f);
    }
  } else if (tok.extension() == ".bin") {
    fs::copy_file(tok, dir / "tokenizer.bin");
  } else {
    fs::copy_file(tok, dir / tok.filename());
  }
}

}  // namespace quantcore::outputs
