// quantcore_io: opening checkpoints (HF directories, llama2.c .bin) and checking their weights
// against the architecture.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>

#include "io_test_helpers.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/io/hf_config.h"
#include "quantcore/io/llama2c.h"
#include "quantcore/io/safetensors.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using quantcore::Checkpoint;
using quantcore::CheckpointFormat;
using quantcore::DType;
using quantcore::ExpectedTensor;
using quantcore::open_checkpoint;
using quantlens_test::data_path;
using quantlens_test::expect_input_error;
using quantlens_test::TempDir;
using quantlens_test::write_bytes;

// ---------------------------------------------------------------------------------------------
// Tiny HF directories written by the tests

json tiny_llama_config() {
  return json{{"model_type", "llama"},
              {"hidden_size", 8},
              {"intermediate_size", 16},
              {"num_hidden_layers", 2},
              {"num_attention_heads", 2},
              {"num_key_value_heads", 1},
              {"vocab_size", 10},
              {"max_position_embeddings", 16},
              {"rms_norm_eps", 1e-6},
              {"torch_dtype", "float16"},
              {"tie_word_embeddings", false}};
}

json tiny_opt_config() {
  return json{{"model_type", "opt"},           {"hidden_size", 8},         {"ffn_dim", 16},
              {"num_hidden_layers", 1},        {"num_attention_heads", 2}, {"vocab_size", 10},
              {"max_position_embeddings", 16}, {"word_embed_proj_dim", 8}};
}

// Lets a test drop, reshape, retype or rename one tensor before it is written.
using Tamper = std::function<bool(ExpectedTensor& tensor, DType& dtype)>;  // false: drop it

// Writes config.json and a model.safetensors with zero-filled tensors of the expected shapes.
void write_hf_dir(const fs::path& dir, const json& config, const Tamper& tamper = {}) {
  write_bytes(dir / "config.json", config.dump(2));
  const quantcore::ModelSpec spec = quantcore::parse_hf_config(dir / "config.json");
  quantcore::SafetensorsWriter writer;
  for (ExpectedTensor t : quantcore::expected_tensors(spec)) {
    DType dtype = DType::F16;
    if (tamper && !tamper(t, dtype)) continue;
    int64_t numel = 1;
    for (int64_t d : t.shape) numel *= d;
    const std::vector<unsigned char> zeros(numel * quantcore::dtype_size(dtype));
    writer.add(t.name, dtype, t.shape, zeros.data(), zeros.size());
  }
  writer.write(dir / "model.safetensors");
}

void expect_open_error(const fs::path& path, const std::string& file_part, const std::string& phrase) {
  expect_input_error([&] { open_checkpoint(path); }, file_part, phrase);
}

// ---------------------------------------------------------------------------------------------
// Tiny llama2.c files: dim 8, hidden 4, 1 layer, 2 heads (head size 4), 1 kv head, vocab 3
// (negative: separate classifier), seq_len 2. Every float is 1000 * section + index.

struct Llama2cSection {
  const char* name;
  int count;
};
const std::vector<Llama2cSection> kTinySections = {{"token_embedding", 3 * 8},
                                                   {"rms_att", 8},
                                                   {"wq", 8 * 8},
                                                   {"wk", 4 * 8},
                                                   {"wv", 4 * 8},
                                                   {"wo", 8 * 8},
                                                   {"rms_ffn", 8},
                                                   {"w1", 4 * 8},
                                                   {"w2", 8 * 4},
                                                   {"w3", 4 * 8},
                                                   {"rms_final", 8},
                                                   {"freq_cis_real", 2 * 2},
                                                   {"freq_cis_imag", 2 * 2},
                                                   {"wcls", 3 * 8}};

float tiny_value(std::size_t section, int index) { return static_cast<float>(1000 * section + index); }

std::size_t section_number(const std::string& name) {
  for (std::size_t i = 0; i < kTinySections.size(); ++i) {
    if (name == kTinySections[i].name) return i;
  }
  throw std::logic_error("no section " + name);
}

std::string llama2c_bytes(const std::vector<int32_t>& header, bool with_classifier = true) {
  std::string out(header.size() * 4, '\0');
  std::memcpy(out.data(), header.data(), out.size());
  for (std::size_t s = 0; s < kTinySections.size(); ++s) {
    if (!with_classifier && std::string(kTinySections[s].name) == "wcls") continue;
    for (int i = 0; i < kTinySections[s].count; ++i) {
      const float v = tiny_value(s, i);
      out.append(reinterpret_cast<const char*>(&v), sizeof(v));
    }
  }
  return out;
}

const std::vector<int32_t> kTinyHeader = {8, 4, 1, 2, 1, -3, 2};

fs::path write_tiny_llama2c(const TempDir& dir, const std::string& name = "tiny.bin") {
  write_bytes(dir / name, llama2c_bytes(kTinyHeader));
  return dir / name;
}

float at(const quantcore::TensorView& v, int64_t row, int64_t col) {
  return static_cast<const float*>(v.data)[row * v.shape[1] + col];
}

// ---------------------------------------------------------------------------------------------
// The real models

TEST(Checkpoint, HouseLlamaOpensAndValidates) {
  const Checkpoint c = open_checkpoint(data_path("house-llama"));
  EXPECT_EQ(c.format, CheckpointFormat::HfDirectory);
  EXPECT_EQ(c.spec.hidden_size, 384);
  EXPECT_EQ(c.tokenizer_path, data_path("house-llama"));
  const auto lm_head = c.weights->find("lm_head.weight");
  ASSERT_TRUE(lm_head.has_value());
  EXPECT_EQ(lm_head->dtype, DType::F16);
  EXPECT_EQ(lm_head->shape, (std::vector<int64_t>{8192, 384}));
}

TEST(Checkpoint, HouseOptOpensAndValidates) {
  const Checkpoint c = open_checkpoint(data_path("house-opt"));
  EXPECT_EQ(c.spec.family, quantcore::Family::Opt);
  EXPECT_EQ(c.tokenizer_path, data_path("house-opt"));
  const auto pos = c.weights->find("model.decoder.embed_positions.weight");
  ASSERT_TRUE(pos.has_value());
  EXPECT_EQ(pos->shape, (std::vector<int64_t>{1026, 256}));
  EXPECT_FALSE(c.weights->find("lm_head.weight").has_value());  // tied
}

TEST(Checkpoint, Stories260KOpensAndFindsItsTokenizer) {
  const fs::path bin = data_path("stories260K/stories260K.bin");
  ASSERT_EQ(fs::file_size(bin), 28u + 4u * 264128u);
  const Checkpoint c = open_checkpoint(bin);
  EXPECT_EQ(c.format, CheckpointFormat::Llama2c);
  EXPECT_EQ(c.tokenizer_path, data_path("stories260K/tok512.bin"));
  const quantcore::ModelSpec& s = c.spec;
  EXPECT_EQ(s.model_type, "llama2c");
  EXPECT_EQ(s.family, quantcore::Family::Llama);
  EXPECT_EQ(s.hidden_size, 64);
  EXPECT_EQ(s.intermediate_size, 172);
  EXPECT_EQ(s.num_layers, 5);
  EXPECT_EQ(s.num_heads, 8);
  EXPECT_EQ(s.num_kv_heads, 4);
  EXPECT_EQ(s.head_dim, 8);
  EXPECT_EQ(s.vocab_size, 512);
  EXPECT_EQ(s.max_position_embeddings, 512);
  EXPECT_TRUE(s.tie_word_embeddings);
  EXPECT_DOUBLE_EQ(s.norm_eps, 1e-5);
  EXPECT_DOUBLE_EQ(s.rope.theta, 10000.0);
  EXPECT_EQ(s.bos_token_id, 1);
  EXPECT_EQ(s.eos_token_id, 2);
  EXPECT_EQ(s.stored_dtype, "float32");
  EXPECT_EQ(c.weights->names().size(), 1u + 5 * 9 + 1);
  EXPECT_FALSE(c.weights->find("lm_head.weight").has_value());
}

TEST(Checkpoint, Stories260KQueryWeightsArePermutedToRotateHalf) {
  const fs::path bin = data_path("stories260K/stories260K.bin");
  const std::string raw = quantlens_test::read_text(bin);
  const quantcore::Llama2cCheckpoint ckpt(bin);
  auto raw_float = [&](std::size_t float_index) {
    float v = 0;
    std::memcpy(&v, raw.data() + 28 + 4 * float_index, 4);
    return v;
  };
  const auto embed = ckpt.find("model.embed_tokens.weight");
  ASSERT_TRUE(embed.has_value());
  EXPECT_EQ(at(*embed, 0, 0), raw_float(0));
  // wq of layer 0 follows token_embedding [512, 64] and rms_att [5, 64].
  const std::size_t wq = 512 * 64 + 5 * 64;
  const auto q = ckpt.find("model.layers.0.self_attn.q_proj.weight");
  ASSERT_TRUE(q.has_value());
  // Head 0 (head size 8): HF row 1 is llama2.c row 2, HF row 4 is llama2.c row 1.
  for (int col = 0; col < 64; ++col) {
    EXPECT_EQ(at(*q, 1, col), raw_float(wq + 2 * 64 + col));
    EXPECT_EQ(at(*q, 4, col), raw_float(wq + 1 * 64 + col));
  }
}

// ---------------------------------------------------------------------------------------------
// llama2.c import on a hand-made file

TEST(Llama2c, ExposesHfNamesAndPermutesQueryAndKeyRows) {
  TempDir dir;
  const quantcore::Llama2cCheckpoint ckpt(write_tiny_llama2c(dir));
  EXPECT_FALSE(ckpt.spec().tie_word_embeddings);
  EXPECT_EQ(ckpt.spec().head_dim, 4);
  EXPECT_EQ(ckpt.names().size(), 1u + 9 + 1 + 1);

  // view(heads, rows/heads/2, 2, cols).transpose(1, 2): per head of 4 rows, 0 2 1 3.
  const std::vector<int> q_rows = {0, 2, 1, 3, 4, 6, 5, 7};
  const auto q = ckpt.find("model.layers.0.self_attn.q_proj.weight");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->shape, (std::vector<int64_t>{8, 8}));
  for (int r = 0; r < 8; ++r) {
    for (int c = 0; c < 8; ++c) {
      EXPECT_EQ(at(*q, r, c), tiny_value(section_number("wq"), q_rows[r] * 8 + c)) << r << "," << c;
    }
  }
  const std::vector<int> k_rows = {0, 2, 1, 3};  // one kv head
  const auto k = ckpt.find("model.layers.0.self_attn.k_proj.weight");
  ASSERT_TRUE(k.has_value());
  EXPECT_EQ(k->shape, (std::vector<int64_t>{4, 8}));
  for (int r = 0; r < 4; ++r) {
    for (int c = 0; c < 8; ++c) {
      EXPECT_EQ(at(*k, r, c), tiny_value(section_number("wk"), k_rows[r] * 8 + c));
    }
  }
}

TEST(Llama2c, OtherTensorsAreCopiedAsTheyAre) {
  TempDir dir;
  const quantcore::Llama2cCheckpoint ckpt(write_tiny_llama2c(dir));
  struct Case {
    const char* name;
    const char* section;
    std::vector<int64_t> shape;
  };
  const std::vector<Case> cases = {
      {"model.embed_tokens.weight", "token_embedding", {3, 8}},
      {"model.layers.0.input_layernorm.weight", "rms_att", {8}},
      {"model.layers.0.self_attn.v_proj.weight", "wv", {4, 8}},
      {"model.layers.0.self_attn.o_proj.weight", "wo", {8, 8}},
      {"model.layers.0.post_attention_layernorm.weight", "rms_ffn", {8}},
      {"model.layers.0.mlp.gate_proj.weight", "w1", {4, 8}},
      {"model.layers.0.mlp.down_proj.weight", "w2", {8, 4}},
      {"model.layers.0.mlp.up_proj.weight", "w3", {4, 8}},
      {"model.norm.weight", "rms_final", {8}},
      {"lm_head.weight", "wcls", {3, 8}},
  };
  for (const Case& c : cases) {
    const auto v = ckpt.find(c.name);
    ASSERT_TRUE(v.has_value()) << c.name;
    EXPECT_EQ(v->dtype, DType::F32);
    EXPECT_EQ(v->shape, c.shape) << c.name;
    const auto* values = static_cast<const float*>(v->data);
    for (int64_t i = 0; i < v->numel(); ++i) {
      EXPECT_EQ(values[i], tiny_value(section_number(c.section), static_cast<int>(i))) << c.name;
    }
  }
  EXPECT_EQ(ckpt.location("lm_head.weight"), (dir / "tiny.bin").string());
}

TEST(Llama2c, SharedClassifierHasNoLmHead) {
  TempDir dir;
  std::vector<int32_t> header = kTinyHeader;
  header[5] = 3;
  write_bytes(dir / "tiny.bin", llama2c_bytes(header, /*with_classifier=*/false));
  const quantcore::Llama2cCheckpoint ckpt(dir / "tiny.bin");
  EXPECT_TRUE(ckpt.spec().tie_word_embeddings);
  EXPECT_FALSE(ckpt.find("lm_head.weight").has_value());
}

TEST(Llama2c, WrongFileSize) {
  TempDir dir;
  const std::string bytes = llama2c_bytes(kTinyHeader);
  write_bytes(dir / "tiny.bin", bytes + "xyzw");
  expect_input_error([&] { quantcore::Llama2cCheckpoint ckpt(dir / "tiny.bin"); }, "tiny.bin",
                     "expected " + std::to_string(bytes.size()) + " bytes, actual " + std::to_string(bytes.size() + 4));
}

TEST(Llama2c, FileShorterThanHeader) {
  TempDir dir;
  write_bytes(dir / "tiny.bin", std::string(20, '\1'));
  expect_input_error([&] { quantcore::Llama2cCheckpoint ckpt(dir / "tiny.bin"); }, "tiny.bin",
                     "shorter than the 28-byte");
}

TEST(Llama2c, NonPositiveDimension) {
  TempDir dir;
  std::vector<int32_t> header = kTinyHeader;
  header[2] = 0;
  write_bytes(dir / "tiny.bin", llama2c_bytes(header));
  expect_input_error([&] { quantcore::Llama2cCheckpoint ckpt(dir / "tiny.bin"); }, "tiny.bin", "n_layers is 0");
}

TEST(Llama2c, DimNotDivisibleByHeads) {
  TempDir dir;
  std::vector<int32_t> header = kTinyHeader;
  header[3] = 3;
  write_bytes(dir / "tiny.bin", llama2c_bytes(header));
  expect_input_error([&] { quantcore::Llama2cCheckpoint ckpt(dir / "tiny.bin"); }, "tiny.bin",
                     "not divisible by n_heads");
}

TEST(Llama2c, KvHeadsNotDividingHeads) {
  TempDir dir;
  std::vector<int32_t> header = kTinyHeader;
  header[4] = 3;
  write_bytes(dir / "tiny.bin", llama2c_bytes(header));
  expect_input_error([&] { quantcore::Llama2cCheckpoint ckpt(dir / "tiny.bin"); }, "tiny.bin",
                     "does not divide n_heads");
}

TEST(Llama2c, HugeHeaderDoesNotOverflow) {
  TempDir dir;
  write_bytes(dir / "tiny.bin", llama2c_bytes({1 << 30, 1 << 30, 1 << 30, 2, 1, -(1 << 30), 8}));
  expect_input_error([&] { quantcore::Llama2cCheckpoint ckpt(dir / "tiny.bin"); }, "tiny.bin",
                     "expected more than 2^64 bytes");
}

// ---------------------------------------------------------------------------------------------
// llama2.c tokenizer lookup

TEST(Checkpoint, Llama2cTokenizerBinBesideIt) {
  TempDir dir;
  write_bytes(dir / "tokenizer.bin", "t");
  write_bytes(dir / "tok512.bin", "t");
  EXPECT_EQ(open_checkpoint(write_tiny_llama2c(dir)).tokenizer_path, dir / "tokenizer.bin");
}

TEST(Checkpoint, Llama2cTokenizerOverride) {
  TempDir dir;
  write_bytes(dir / "mine.tok", "t");
  const Checkpoint c = open_checkpoint(write_tiny_llama2c(dir), dir / "mine.tok");
  EXPECT_EQ(c.tokenizer_path, dir / "mine.tok");
}

TEST(Checkpoint, Llama2cTokenizerOverrideMissing) {
  TempDir dir;
  const fs::path bin = write_tiny_llama2c(dir);
  expect_input_error([&] { open_checkpoint(bin, dir / "absent.bin"); }, "absent.bin", "does not exist");
}

TEST(Checkpoint, Llama2cWithoutTokenizer) {
  TempDir dir;
  expect_open_error(write_tiny_llama2c(dir), "tiny.bin", "pass --tokenizer");
}

TEST(Checkpoint, Llama2cCheckpointNamedTokDoesNotCountAsItsOwnTokenizer) {
  TempDir dir;
  expect_open_error(write_tiny_llama2c(dir, "tokenless.bin"), "tokenless.bin", "pass --tokenizer");
}

TEST(Checkpoint, Llama2cWithSeveralTokenizers) {
  TempDir dir;
  write_bytes(dir / "tok512.bin", "t");
  write_bytes(dir / "tok4096.bin", "t");
  expect_open_error(write_tiny_llama2c(dir), "tiny.bin", "several tokenizers");
}

// ---------------------------------------------------------------------------------------------
// HF directories written by the tests

TEST(Checkpoint, TinyLlamaDirectoryOpens) {
  TempDir dir;
  write_hf_dir(dir.path(), tiny_llama_config());
  const Checkpoint c = open_checkpoint(dir.path());
  EXPECT_EQ(c.spec.num_layers, 2);
  EXPECT_EQ(c.weights->names().size(), quantcore::expected_tensors(c.spec).size());
}

TEST(Checkpoint, ShardedDirectoryOpens) {
  TempDir dir;
  write_hf_dir(dir.path(), tiny_llama_config());
  // Split model.safetensors into two shards with an index.
  const quantcore::SafetensorsFile whole(dir / "model.safetensors");
  quantcore::SafetensorsWriter first, second;
  json weight_map = json::object();
  for (const auto& e : whole.entries()) {
    const bool in_first = e.name.find("layers.1.") == std::string::npos;
    const quantcore::TensorView v = whole.view(e);
    (in_first ? first : second).add(e.name, e.dtype, e.shape, v.data, v.nbytes);
    weight_map[e.name] = in_first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
  }
  first.write(dir / "model-00001-of-00002.safetensors");
  second.write(dir / "model-00002-of-00002.safetensors");
  write_bytes(dir / "model.safetensors.index.json", json{{"weight_map", weight_map}}.dump());
  fs::remove(dir / "model.safetensors");

  const Checkpoint c = open_checkpoint(dir.path());
  EXPECT_EQ(c.weights->location("model.layers.1.mlp.up_proj.weight"),
            (dir / "model-00002-of-00002.safetensors").string());
}

TEST(Checkpoint, MissingTensor) {
  TempDir dir;
  write_hf_dir(dir.path(), tiny_llama_config(),
               [](ExpectedTensor& t, DType&) { return t.name != "model.layers.1.mlp.up_proj.weight"; });
  expect_open_error(dir.path(), dir.path().string(), "missing tensor 'model.layers.1.mlp.up_proj.weight'");
}

TEST(Checkpoint, WrongShape) {
  TempDir dir;
  write_hf_dir(dir.path(), tiny_llama_config(), [](ExpectedTensor& t, DType&) {
    if (t.name == "model.layers.0.self_attn.k_proj.weight") t.shape = {8, 8};
    return true;
  });
  expect_open_error(dir.path(), "model.safetensors",
                    "tensor 'model.layers.0.self_attn.k_proj.weight' has shape [8, 8] but "
                    "config.json implies [4, 8]");
}

TEST(Checkpoint, IntegerWeightsRefused) {
  TempDir dir;
  write_hf_dir(dir.path(), tiny_llama_config(), [](ExpectedTensor& t, DType& dtype) {
    if (t.name == "model.norm.weight") dtype = DType::I16;
    return true;
  });
  expect_open_error(dir.path(), "model.safetensors", "weights must be F32, F16 or BF16");
}

TEST(Checkpoint, UnsupportedModelType) {
  TempDir dir;
  json config = tiny_llama_config();
  config["model_type"] = "falcon";
  write_bytes(dir / "config.json", config.dump());
  expect_open_error(dir.path(), "config.json", "unsupported model_type 'falcon'");
}

TEST(Checkpoint, ConfigButNoWeights) {
  TempDir dir;
  write_bytes(dir / "config.json", tiny_llama_config().dump());
  expect_open_error(dir.path(), dir.path().string(), "no model.safetensors or model.safetensors.index.json");
}

TEST(Checkpoint, DirectoryWithoutConfig) {
  TempDir dir;
  expect_open_error(dir.path(), dir.path().string(), "missing config.json");
}

TEST(Checkpoint, NotACheckpoint) {
  TempDir dir;
  write_bytes(dir / "notes.txt", "hello");
  expect_open_error(dir / "notes.txt", "notes.txt", "not an HF model directory or a llama2.c .bin");
}

TEST(Checkpoint, PathDoesNotExist) {
  TempDir dir;
  expect_open_error(dir / "nothing", "nothing", "does not exist");
}

TEST(Checkpoint, OptWithShortDecoderNamesValidates) {
  TempDir dir;
  write_hf_dir(dir.path(), tiny_opt_config(), [](ExpectedTensor& t, DType&) {
    t.name = t.name.substr(std::string("model.").size());
    return true;
  });
  const Checkpoint c = open_checkpoint(dir.path());
  EXPECT_TRUE(c.weights->find("model.decoder.layers.0.fc1.weight").has_value());
  EXPECT_TRUE(c.weights->find("model.decoder.embed_tokens.weight").has_value());
}

TEST(Checkpoint, HfTokenizerOverride) {
  TempDir dir;
  write_hf_dir(dir.path(), tiny_opt_config());
  write_bytes(dir / "other.json", "{}");
  EXPECT_EQ(open_checkpoint(dir.path(), dir / "other.json").tokenizer_path, dir / "other.json");
}

}  // namespace
