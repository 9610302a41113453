#include "output_directory.h"

#include <ATen/ATen.h>
#include <sys/stat.h>

#include <cstdlib>

#include "command_support.h"
#include "quantcore/io/errors.h"

namespace quantlens_cli {

namespace fs = std::filesystem;
using nlohmann::json;

StagingDir::StagingDir(const fs::path& dest) {
  std::string tmpl = dest.string() + ".tmp-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw quantcore::InputError(dest.string(), "cannot create a directory beside it");
  path_ = tmpl;
  // mkdtemp makes it private; the result should look like any directory the user creates.
  const mode_t mask = umask(0);
  umask(mask);
  fs::permissions(path_, static_cast<fs::perms>(0777 & ~mask));
}

StagingDir::~StagingDir() {
  if (!path_.empty()) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
}

void StagingDir::commit(const fs::path& dest, bool force) {
  if (fs::exists(dest)) {
    if (fs::is_directory(dest) && fs::is_empty(dest)) fs::remove(dest);
    else if (force) fs::remove_all(dest);
    else throw quantcore::InputError(dest.string(), "exists and is not empty; pass --force to replace it");
  }
  fs::rename(path_, dest);
  path_.clear();
}

fs::path checked_destination(const std::string& out, bool force) {
  fs::path dest = fs::absolute(out).lexically_normal();
  if (!dest.has_filename()) dest = dest.parent_path();
  if (fs::exists(dest) && !force && !(fs::is_directory(dest) && fs::is_empty(dest)))
    throw quantcore::InputError(dest.string(), "exists and is not empty; pass --force to replace it");
  return dest;
}

json output_config(const quantcore::Checkpoint& ck) {
  const quantcore::ModelSpec& s = ck.spec;
  if (ck.format != quantcore::CheckpointFormat::Llama2c) {
    json c = json::parse(read_text_file((ck.path / "config.json").string()));
    if (c.contains("dtype")) c["dtype"] = "float16";
    else c["torch_dtype"] = "float16";
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

void copy_tokenizer(const quantcore::Checkpoint& ck, const fs::path& dir) {
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

void add_tensor(quantcore::SafetensorsWriter& w, const std::string& name, const at::Tensor& t) {
  at::Tensor c = t.detach().to(at::kCPU).contiguous();
  quantcore::DType d;
  switch (c.scalar_type()) {
    case at::kFloat: d = quantcore::DType::F32; break;
    case at::kHalf: d = quantcore::DType::F16; break;
    case at::kBFloat16: d = quantcore::DType::BF16; break;
    case at::kByte: d = quantcore::DType::U8; break;
    case at::kBool: d = quantcore::DType::BOOL; break;
    case at::kInt: d = quantcore::DType::I32; break;
    case at::kLong: d = quantcore::DType::I64; break;
    default: c = c.to(at::kFloat); d = quantcore::DType::F32; break;
  }
  w.add(name, d, c.sizes().vec(), c.data_ptr(), c.nbytes());
}

}  // namespace quantlens_cli
