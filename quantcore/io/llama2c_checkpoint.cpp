#include <bit>
#include <cstdlib>
#include <cstring>

#include "quantcore/io/errors.h"
#include "quantcore/io/llama2c.h"
#include "quantcore/io/mapped_file.h"

namespace quantcore {
namespace {

static_assert(std::endian::native == std::endian::little,
              "llama2.c files hold little-endian floats that are copied as they are");

// Byte counts of a crafted header overflow 64 bits (three int32 factors); 128 bits never do.
__extension__ using Count = unsigned __int128;

constexpr std::size_t kHeaderInts = 7;
constexpr std::size_t kHeaderBytes = kHeaderInts * sizeof(int32_t);

// The legacy (v0) export header: dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size,
// seq_len. A negative vocab_size means the classifier is stored separately at the end.
struct Header {
  int64_t dim, hidden_dim, n_layers, n_heads, n_kv_heads, vocab_size, seq_len;
  bool shared_classifier;
  int64_t head_size() const { return dim / n_heads; }
  int64_t kv_dim() const { return head_size() * n_kv_heads; }

  std::string describe() const {
    return "dim=" + std::to_string(dim) + " hidden_dim=" + std::to_string(hidden_dim) +
           " n_layers=" + std::to_string(n_layers) + " n_heads=" + std::to_string(n_heads) +
           " n_kv_heads=" + std::to_string(n_kv_heads) +
           " vocab_size=" + std::to_string(shared_classifier ? vocab_size : -vocab_size) +
           " seq_len=" + std::to_string(seq_len);
  }
};

Header read_header(const MappedFile& file, const std::string& name) {
  if (file.size() < kHeaderBytes) {
    throw InputError(name,
                     "file is " + std::to_string(file.size()) + " bytes, shorter than the 28-byte llama2.c header");
  }
  int32_t v[kHeaderInts];
  std::memcpy(v, file.data(), kHeaderBytes);
  static const char* const names[kHeaderInts] = {"dim",        "hidden_dim", "n_layers", "n_heads",
                                                 "n_kv_heads", "vocab_size", "seq_len"};
  for (std::size_t i = 0; i < kHeaderInts; ++i) {
    const bool bad = i == 5 ? (v[i] == 0 || v[i] == INT32_MIN) : v[i] <= 0;
    if (bad) {
      throw InputError(name, std::string("header field ") + names[i] + " is " + std::to_string(v[i]) +
                                 "; not a llama2.c checkpoint?");
    }
  }
  Header h{v[0], v[1], v[2], v[3], v[4], std::abs(v[5]), v[6], v[5] > 0};
  if (h.dim % h.n_heads != 0) {
    throw InputError(name,
                     "dim " + std::to_string(h.dim) + " is not divisible by n_heads " + std::to_string(h.n_heads));
  }
  if (h.n_heads % h.n_kv_heads != 0) {
    throw InputError(
        name, "n_kv_heads " + std::to_string(h.n_kv_heads) + " does not divide n_heads " + std::to_string(h.n_heads));
  }
  if (h.head_size() % 2 != 0) {
    throw InputError(name, "head size " + std::to_string(h.head_size()) + " is odd; rotary embeddings need it even");
  }
  return h;
}

// Float counts of the sections, in file order.
struct Layout {
  Count token_embedding, rms_att, wq, wk, wv, wo, rms_ffn, w1, w2, w3, rms_final, freq_cis, wcls;

  explicit Layout(const Header& h) {
    const Count L = h.n_layers, D = h.dim, F = h.hidden_dim, KV = h.kv_dim(), V = h.vocab_size;
    token_embedding = V * D;
    rms_att = L * D;
    wq = L * D * D;
    wk = L * KV * D;
    wv = L * KV * D;
    wo = L * D * D;
    rms_ffn = L * D;
    w1 = L * F * D;
    w2 = L * D * F;
    w3 = L * F * D;
    rms_final = D;
    freq_cis = static_cast<Count>(h.seq_len) * (h.head_size() / 2);  // real, then imaginary
    wcls = h.shared_classifier ? 0 : V * D;
  }

  Count file_bytes() const {
    const Count floats =
        token_embedding + rms_att + wq + wk + wv + wo + rms_ffn + w1 + w2 + w3 + rms_final + 2 * freq_cis + wcls;
    return kHeaderBytes + floats * sizeof(float);
  }
};

std::string bytes_text(Count n) {
  if (n > UINT64_MAX) return "more than 2^64";
  return std::to_string(static_cast<uint64_t>(n));
}

// HF's convert_llama_weights_to_hf permute, from Meta's interleaved rotary layout (llama2.c
// rotates adjacent rows 2i, 2i+1 of a head) to rotate-half (HF pairs rows i and i + half):
//   w.view(heads, rows / heads / 2, 2, cols).transpose(1, 2).reshape(rows, cols)
std::vector<float> permute_rotary_rows(const float* w, int64_t rows, int64_t cols, int64_t heads) {
  const int64_t head_rows = rows / heads;
  const int64_t half = head_rows / 2;
  std::vector<float> out(static_cast<std::size_t>(rows * cols));
  for (int64_t h = 0; h < heads; ++h) {
    for (int64_t i = 0; i < half; ++i) {
      for (int64_t j = 0; j < 2; ++j) {
        const float* src = w + (h * head_rows + 2 * i + j) * cols;
        float* dst = out.data() + (h * head_rows + j * half + i) * cols;
        std::memcpy(dst, src, static_cast<std::size_t>(cols) * sizeof(float));
      }
    }
  }
  return out;
}

ModelSpec spec_of(const Header& h) {
  ModelSpec s;
  s.family = Family::Llama;
  s.model_type = "llama2c";
  s.hidden_size = h.dim;
  s.intermediate_size = h.hidden_dim;
  s.num_layers = h.n_layers;
  s.num_heads = h.n_heads;
  s.num_kv_heads = h.n_kv_heads;
  s.head_dim = h.head_size();
  s.vocab_size = h.vocab_size;
  s.max_position_embeddings = h.seq_len;
  s.norm_eps = 1e-5;
  s.tie_word_embeddings = h.shared_classifier;
  s.bos_token_id = 1;
  s.eos_token_id = 2;
  s.stored_dtype = "float32";
  s.rope = RopeSpec{};
  s.activation = "silu";
  return s;
}

}  // namespace

Llama2cCheckpoint::Llama2cCheckpoint(const std::filesystem::path& bin) : path_(bin) {
  const std::string name = bin.string();
  const MappedFile file(bin);
  const Header h = read_header(file, name);
  const Layout layout(h);
  if (layout.file_bytes() != file.size()) {
    throw InputError(name, "file size does not match its header (" + h.describe() + "): expected " +
                               bytes_text(layout.file_bytes()) + " bytes, actual " + std::to_string(file.size()));
  }
  spec_ = spec_of(h);

  // The size check above bounds every section, so the counts below fit in int64_t.
  const auto* cursor = reinterpret_cast<const float*>(file.data() + kHeaderBytes);
  auto take = [&cursor](Count count) {
    const float* section = cursor;
    cursor += static_cast<std::size_t>(count);
    return section;
  };
  auto store = [this](const std::string& tensor, std::vector<int64_t> shape, std::vector<float> values) {
    tensors_[tensor] = Owned{std::move(shape), std::move(values)};
  };
  auto copy = [](const float* p, int64_t count) { return std::vector<float>(p, p + count); };
  auto layer_name = [](int64_t i, const char* suffix) { return "model.layers." + std::to_string(i) + "." + suffix; };

  const int64_t L = h.n_layers, D = h.dim, F = h.hidden_dim, KV = h.kv_dim(), V = h.vocab_size;
  store("model.embed_tokens.weight", {V, D}, copy(take(layout.token_embedding), V * D));
  // Per-layer sections hold all layers back to back: [L, rows, cols].
  auto per_layer = [&](Count count, const char* suffix, std::vector<int64_t> shape, int64_t permute_heads) {
    const float* section = take(count);
    int64_t numel = 1;
    for (int64_t d : shape) numel *= d;
    for (int64_t i = 0; i < L; ++i) {
      const float* w = section + i * numel;
      store(layer_name(i, suffix), shape,
            permute_heads > 0 ? permute_rotary_rows(w, shape[0], shape[1], permute_heads) : copy(w, numel));
    }
  };
  per_layer(layout.rms_att, "input_layernorm.weight", {D}, 0);
  per_layer(layout.wq, "self_attn.q_proj.weight", {D, D}, h.n_heads);
  per_layer(layout.wk, "self_attn.k_proj.weight", {KV, D}, h.n_kv_heads);
  per_layer(layout.wv, "self_attn.v_proj.weight", {KV, D}, 0);
  per_layer(layout.wo, "self_attn.o_proj.weight", {D, D}, 0);
  per_layer(layout.rms_ffn, "post_attention_layernorm.weight", {D}, 0);
  per_layer(layout.w1, "mlp.gate_proj.weight", {F, D}, 0);
  per_layer(layout.w2, "mlp.down_proj.weight", {D, F}, 0);
  per_layer(layout.w3, "mlp.up_proj.weight", {F, D}, 0);
  store("model.norm.weight", {D}, copy(take(layout.rms_final), D));
  take(layout.freq_cis);  // precomputed rotary tables: recomputed from theta instead
  take(layout.freq_cis);
  if (!h.shared_classifier) store("lm_head.weight", {V, D}, copy(take(layout.wcls), V * D));
}

std::optional<TensorView> Llama2cCheckpoint::find(const std::string& name) const {
  const auto it = tensors_.find(name);
  if (it == tensors_.end()) return std::nullopt;
  const Owned& t = it->second;
  return TensorView{DType::F32, t.shape, t.values.data(), t.values.size() * sizeof(float)};
}

std::vector<std::string> Llama2cCheckpoint::names() const {
  std::vector<std::string> out;
  out.reserve(tensors_.size());
  for (const auto& [name, tensor] : tensors_) out.push_back(name);
  return out;
}

std::string Llama2cCheckpoint::location(const std::string& /*name*/) const { return path_.string(); }

}  // namespace quantcore
