#pragma once
// An in-memory WeightSource for tests: every tensor the architecture expects, filled with
// seeded pseudo-random fp32 values.
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "quantcore/io/model_spec.h"
#include "quantcore/io/tensor_view.h"

namespace quantlens_test {

// A LLaMA-architecture spec small enough for loop references: hidden 8, 2 heads of 4 over one
// KV head (GQA), MLP 6.
inline quantcore::ModelSpec tiny_llama_spec(int64_t layers = 1, int64_t vocab = 11) {
  quantcore::ModelSpec s;
  s.family = quantcore::Family::Llama;
  s.model_type = "llama";
  s.hidden_size = 8;
  s.intermediate_size = 6;
  s.num_layers = layers;
  s.num_heads = 2;
  s.num_kv_heads = 1;
  s.head_dim = 4;
  s.vocab_size = vocab;
  s.max_position_embeddings = 32;
  s.norm_eps = 1e-6;
  return s;
}

class MemoryWeights : public quantcore::WeightSource {
public:
  MemoryWeights(const quantcore::ModelSpec& spec, uint32_t seed, float scale = 0.5f) {
    std::mt19937 gen(seed);
    std::uniform_real_distribution<float> dist(-scale, scale);
    for (const quantcore::ExpectedTensor& t : quantcore::expected_tensors(spec)) {
      Entry& e = tensors_[t.name];
      e.shape = t.shape;
      int64_t n = 1;
      for (int64_t d : t.shape) n *= d;
      e.values.resize(static_cast<size_t>(n));
      const bool norm = t.name.find("norm") != std::string::npos && t.name.find("weight") != std::string::npos;
      for (float& v : e.values) v = norm ? 1.0f + dist(gen) * 0.2f : dist(gen);
    }
  }
  std::optional<quantcore::TensorView> find(const std::string& name) const override {
    auto it = tensors_.find(name);
    if (it == tensors_.end()) return std::nullopt;
    return quantcore::TensorView{quantcore::DType::F32, it->second.shape, it->second.values.data(),
                                 it->second.values.size() * sizeof(float)};
  }
  std::vector<std::string> names() const override {
    std::vector<std::string> out;
    for (auto& [k, v] : tensors_) out.push_back(k);
    return out;
  }
  std::string location(const std::string&) const override { return "memory"; }
  const std::vector<float>& values(const std::string& name) const { return tensors_.at(name).values; }
  const std::vector<float>* maybe(const std::string& name) const {
    auto it = tensors_.find(name);
    return it == tensors_.end() ? nullptr : &it->second.values;
  }

private:
  struct Entry {
    std::vector<int64_t> shape;
    std::vector<float> values;
  };
  std::map<std::string, Entry> tensors_;
};

}  // namespace quantlens_test
