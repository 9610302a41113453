// Writes an HF LLaMA directory with random fp16 weights (N(0, 0.02²) linears and embeddings,
// unit norms) and a borrowed tokenizer, for decode-speed benchmarks of a model shaped like a
// real one (the default is LLaMA-1B-shaped: TinyLlama's 22 × 2048 / 5632, 32 heads, 4 kv heads).
// Its outputs mean nothing; only its shapes and timing do.
//   write_random_llama --out DIR --tokenizer-from MODEL_DIR [--hidden 2048 --intermediate 5632
//                      --layers 22 --heads 32 --kv-heads 4]
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

#include "quantcore/io/atomic_write.h"
#include "quantcore/io/checkpoint.h"
#include "quantcore/io/hf_config.h"
#include "quantcore/io/safetensors.h"
#include "quantcore/pack/half_float.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  CLI::App app{"Write a random-weight LLaMA-shaped HF checkpoint for decode benchmarks"};
  std::string out, tokenizer_from;
  int64_t hidden = 2048, intermediate = 5632, layers = 22, heads = 32, kv_heads = 4;
  app.add_option("--out", out, "Output directory")->required();
  app.add_option("--tokenizer-from", tokenizer_from, "HF LLaMA directory whose tokenizer (and vocabulary) to use")
      ->required()
      ->check(CLI::ExistingDirectory);
  app.add_option("--hidden", hidden)->capture_default_str();
  app.add_option("--intermediate", intermediate)->capture_default_str();
  app.add_option("--layers", layers)->capture_default_str();
  app.add_option("--heads", heads)->capture_default_str();
  app.add_option("--kv-heads", kv_heads)->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    std::ifstream in(fs::path(tokenizer_from) / "config.json");
    nlohmann::json config = nlohmann::json::parse(in);
    config["hidden_size"] = hidden;
    config["intermediate_size"] = intermediate;
    config["num_hidden_layers"] = layers;
    config["num_attention_heads"] = heads;
    config["num_key_value_heads"] = kv_heads;
    config["head_dim"] = hidden / heads;
    config["max_position_embeddings"] = 2048;
    config["tie_word_embeddings"] = false;
    fs::create_directories(out);
    quantcore::write_text_atomically(fs::path(out) / "config.json", config.dump(2) + "\n");
    for (const char* f : {"tokenizer.model", "tokenizer_config.json", "special_tokens_map.json"})
      if (fs::exists(fs::path(tokenizer_from) / f))
        fs::copy_file(fs::path(tokenizer_from) / f, fs::path(out) / f, fs::copy_options::overwrite_existing);

    const quantcore::ModelSpec spec = quantcore::parse_hf_config(fs::path(out) / "config.json");
    std::mt19937 rng(1234);
    std::normal_distribution<float> normal(0.0f, 0.02f);
    std::vector<std::vector<uint16_t>> storage;
    quantcore::SafetensorsWriter writer;
    int64_t parameters = 0;
    for (const quantcore::ExpectedTensor& t : quantcore::expected_tensors(spec)) {
      int64_t n = 1;
      for (int64_t d : t.shape) n *= d;
      const bool norm = t.shape.size() == 1;
      std::vector<uint16_t>& data = storage.emplace_back(static_cast<size_t>(n));
      for (uint16_t& v : data) v = quantcore::half_from_float(norm ? 1.0f : normal(rng));
      writer.add(t.name, quantcore::DType::F16, t.shape, data.data(), data.size() * sizeof(uint16_t));
      parameters += n;
    }
    writer.write(fs::path(out) / "model.safetensors");
    std::printf("%s: %lld parameters, %lld blocks of %lld / %lld\n", out.c_str(), (long long)parameters,
                (long long)layers, (long long)hidden, (long long)intermediate);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write_random_llama: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
