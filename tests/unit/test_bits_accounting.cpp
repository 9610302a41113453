// Bit-width accounting (spec §7): the honest [derived] count and the paper's App. A arithmetic.
#include <gtest/gtest.h>

#include <stdexcept>

#include "quantcore/io/model_spec.h"
#include "quantcore/pack/bits_accounting.h"

namespace quantcore {
namespace {

QuantizedLinear linear(int64_t n, int64_t m, int64_t k, std::string name = "w") {
  return {LinearShape{std::move(name), n, m}, k};
}

TEST(BitsAccounting, SmallLayerDerivedByHand) {
  // n=2, m=8, k=2, b=4, v=16, z at 4 bits.
  const LayerBits r = layer_bits(linear(2, 8, 2));
  EXPECT_EQ(r.weights, 16);
  EXPECT_EQ(r.payload_bits, 6 * 2 * 1 + 2 * 2 * 4);  // 28
  EXPECT_EQ(r.mask_bits, 8);
  EXPECT_EQ(r.vector_bits, (2 + 2 + 8) * 16 + 2 * 16 + 2 * 4);  // a, c, r2 + s + z = 232
  EXPECT_EQ(r.metadata_bits, 240);
  EXPECT_EQ(r.total_bits, 268);
  EXPECT_DOUBLE_EQ(r.payload_bits_per_weight, 28.0 / 16.0);
  EXPECT_DOUBLE_EQ(r.metadata_bits_per_weight, 240.0 / 16.0);
  EXPECT_DOUBLE_EQ(r.bits_per_weight, 268.0 / 16.0);
}

TEST(BitsAccounting, SmallLayerPaperByHand) {
  // r_b = 6/8; weight bits 0.75 + 4·0.25 = 1.75; overall 16·1.75 = 28 bits.
  const PaperLayerBits p = paper_layer_bits(linear(2, 8, 2));
  EXPECT_DOUBLE_EQ(p.binarised_fraction, 0.75);
  EXPECT_DOUBLE_EQ(p.weight_bits, 1.75);
  EXPECT_DOUBLE_EQ(p.overall_bits, 28.0);
  EXPECT_DOUBLE_EQ(p.index_bits, 8.0 / 28.0);
  EXPECT_DOUBLE_EQ(p.additional_bits, ((2 * 2 + 8) * 16.0 + 0.25 * 2 * 16.0) / 28.0);  // 200/28
  EXPECT_DOUBLE_EQ(p.bits_per_weight, 1.75 + 208.0 / 28.0);
  EXPECT_DOUBLE_EQ(layer_bits(linear(2, 8, 2)).paper.bits_per_weight, p.bits_per_weight);
}

TEST(BitsAccounting, Spec7Example4096) {
  const LayerBits r = layer_bits(linear(4096, 4096, 820));
  const double w = 4096.0 * 4096.0;
  // Spec §7 [derived]: payload = 1.6006 bits/weight.
  EXPECT_EQ(r.payload_bits, 3276LL * 4096 + 820LL * 4096 * 4);
  EXPECT_NEAR(r.payload_bits_per_weight, 1.6006, 5e-5);
  // Mask + 4 vectors at 16 bits + z at 4 bits.
  EXPECT_EQ(r.metadata_bits, 4 * 4096 * 16 + 4096 * 4 + 4096);
  EXPECT_NEAR(r.bits_per_weight, 1.62, 0.005);
  // Spec §7's printed metadata (4·4096·16 + 4096·16 + 4096)/4096² ≈ 0.020 keeps z at 16 bits.
  BitsOptions z16;
  z16.zero_point_bits = 16;
  const LayerBits r16 = layer_bits(linear(4096, 4096, 820), z16);
  EXPECT_EQ(r16.metadata_bits, 4 * 4096 * 16 + 4096 * 16 + 4096);
  EXPECT_NEAR(r16.metadata_bits_per_weight, 0.020, 5e-4);
  EXPECT_NEAR(r16.bits_per_weight, 1.62, 0.005);
  EXPECT_DOUBLE_EQ(r16.payload_bits_per_weight, r.payload_bits_per_weight);

  // Spec §7 [paper App. A]: weight bits 1.6 (1.6006 at k=820), b_index ≈ 0.00015,
  // b_additional ≈ 0.0078, total ≈ 1.61; overall bits ≈ 26.8M.
  const PaperLayerBits& p = r.paper;
  EXPECT_NEAR(p.weight_bits, 1.6006, 5e-5);
  EXPECT_NEAR(p.overall_bits, w * p.weight_bits, 1e-3);
  EXPECT_NEAR(p.overall_bits, 26843545.0, 0.001 * 26843545.0);
  EXPECT_NEAR(p.index_bits, 0.00015, 0.000005);
  EXPECT_NEAR(p.additional_bits, 0.0078, 0.00005);
  EXPECT_NEAR(p.bits_per_weight, 1.61, 0.005);
  EXPECT_LT(p.bits_per_weight, r.bits_per_weight);  // dividing by bits understates overheads
}

TEST(BitsAccounting, AllBinarised) {
  const LayerBits r = layer_bits(linear(3, 5, 0));
  EXPECT_EQ(r.payload_bits, 15);
  EXPECT_DOUBLE_EQ(r.payload_bits_per_weight, 1.0);
  EXPECT_EQ(r.metadata_bits, 5 + (6 + 5) * 16 + 3 * 16 + 3 * 4);
  EXPECT_DOUBLE_EQ(r.paper.binarised_fraction, 1.0);
  EXPECT_DOUBLE_EQ(r.paper.weight_bits, 1.0);
  EXPECT_DOUBLE_EQ(r.paper.additional_bits, (11 * 16.0) / 15.0);  // no zero-point share
}

TEST(BitsAccounting, AllSalient) {
  const LayerBits r = layer_bits(linear(3, 5, 5));
  EXPECT_EQ(r.payload_bits, 15 * 4);
  EXPECT_DOUBLE_EQ(r.payload_bits_per_weight, 4.0);
  EXPECT_DOUBLE_EQ(r.paper.binarised_fraction, 0.0);
  EXPECT_DOUBLE_EQ(r.paper.weight_bits, 4.0);
  EXPECT_DOUBLE_EQ(r.paper.overall_bits, 60.0);
  EXPECT_DOUBLE_EQ(r.paper.additional_bits, (11 * 16.0 + 3 * 16.0) / 60.0);
}

TEST(BitsAccounting, CustomWidths) {
  BitsOptions o;
  o.salient_bits = 3;
  o.vector_bits = 8;
  const LayerBits r = layer_bits(linear(2, 8, 2), o);
  EXPECT_EQ(r.payload_bits, 12 + 2 * 2 * 3);
  EXPECT_EQ(r.vector_bits, 12 * 8 + 2 * 8 + 2 * 3);
}

TEST(BitsAccounting, RejectsBadInput) {
  EXPECT_THROW(layer_bits(linear(2, 8, 9)), std::invalid_argument);
  EXPECT_THROW(layer_bits(linear(2, 8, -1)), std::invalid_argument);
  EXPECT_THROW(layer_bits(linear(0, 8, 0)), std::invalid_argument);
  BitsOptions o;
  o.salient_bits = 0;
  EXPECT_THROW(layer_bits(linear(2, 8, 2), o), std::invalid_argument);
  EXPECT_THROW(all_parameters_bits({}, {{"x", -1, 16}}), std::invalid_argument);
}

ModelSpec tiny_llama() {
  ModelSpec s;
  s.family = Family::Llama;
  s.model_type = "llama";
  s.hidden_size = 64;
  s.intermediate_size = 96;
  s.num_layers = 2;
  s.num_heads = 4;
  s.num_kv_heads = 2;
  s.head_dim = 16;
  s.vocab_size = 100;
  s.max_position_embeddings = 128;
  return s;
}

TEST(BitsAccounting, ModelIsSumOfLayers) {
  const ModelSpec spec = tiny_llama();
  std::vector<QuantizedLinear> linears;
  for (int64_t block = 0; block < spec.num_layers; ++block)
    for (const auto& shape : block_linears(spec)) linears.push_back({shape, (shape.in_features / 5) + block});
  const ModelBits m = model_bits(linears);
  ASSERT_EQ(m.layers.size(), linears.size());
  int64_t weights = 0, payload = 0, metadata = 0, total = 0;
  double paper_weighted = 0.0;
  for (const auto& l : m.layers) {
    weights += l.weights;
    payload += l.payload_bits;
    metadata += l.metadata_bits;
    total += l.total_bits;
    paper_weighted += l.paper.bits_per_weight * static_cast<double>(l.weights);
  }
  EXPECT_EQ(m.quantized_weights, weights);
  EXPECT_EQ(m.payload_bits, payload);
  EXPECT_EQ(m.metadata_bits, metadata);
  EXPECT_EQ(m.total_bits, total);
  EXPECT_EQ(m.total_bits, m.payload_bits + m.metadata_bits);
  EXPECT_DOUBLE_EQ(m.bits_per_weight, static_cast<double>(total) / static_cast<double>(weights));
  EXPECT_NEAR(m.paper_bits_per_weight, paper_weighted / static_cast<double>(weights), 1e-12);

  // Whole model with the unquantized tensors at 16 bits: every parameter is counted once.
  const auto rest = unquantized_tensors(spec, 16);
  const AllParametersBits all = all_parameters_bits(m, rest);
  EXPECT_EQ(all.total_parameters, parameter_count(spec));
  EXPECT_EQ(all.unquantized_bits, all.unquantized_parameters * 16);
  EXPECT_EQ(all.total_bits, m.total_bits + all.unquantized_bits);
  EXPECT_GT(all.bits_per_parameter_including_unquantized, m.bits_per_weight);
  for (const auto& t : rest) EXPECT_EQ(t.name.find("proj.weight"), std::string::npos) << t.name;
}

TEST(BitsAccounting, EmptyModel) {
  const ModelBits m = model_bits({});
  EXPECT_EQ(m.quantized_weights, 0);
  EXPECT_DOUBLE_EQ(m.bits_per_weight, 0.0);
  EXPECT_DOUBLE_EQ(all_parameters_bits(m, {}).bits_per_parameter_including_unquantized, 0.0);
}

}  // namespace
}  // namespace quantcore
