// GPTQ (baselines-spec §4.2): with an identity Hessian it is RTN; on a random layer with
// correlated inputs its output error is below RTN's; act-order's group index; static groups on
// the original columns; the symmetric grid; dead inputs; true-sequential re-collects H.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "quantcore/methods/gptq/gptq.h"
#include "quantcore/methods/registry.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/quantize/quantize_job.h"
#include "test_support.h"
#include "quantcore/methods/rtn/rtn.h"

namespace gptq = quantcore::methods::gptq;
namespace rtn = quantcore::methods::rtn;

namespace {

at::Tensor as_tensor(const std::vector<float>& v, int64_t n, int64_t m) {
  return at::tensor(at::ArrayRef<float>(v)).reshape({n, m});
}

gptq::GptqLinear run(const at::Tensor& w, const at::Tensor& h, const gptq::GptqOptions& o) {
  return gptq::quantize_linear(w, h, o, "test", {}, quantcore::CancelToken());
}

// ‖(W - W')X‖² / ‖WX‖² with X [m, T].
double relative_error(const at::Tensor& w, const std::vector<float>& w_prime, const at::Tensor& x) {
  const at::Tensor d = (w - as_tensor(w_prime, w.size(0), w.size(1))).mm(x);
  return (d.pow(2).sum() / w.mm(x).pow(2).sum()).item<double>();
}

struct Layer {
  at::Tensor w, x, h;
};

// Inputs with strongly correlated columns and unequal scales (where compensation pays).
Layer random_layer(int64_t n, int64_t m, int64_t tokens) {
  at::manual_seed(7);
  Layer l;
  l.w = at::randn({n, m});
  const at::Tensor mix = at::randn({m, m}) * 0.5 + at::eye(m);
  l.x = mix.mm(at::randn({m, tokens})) * at::linspace(0.2, 3.0, m).unsqueeze(1);
  l.h = l.x.mm(l.x.t()) * (2.0 / static_cast<double>(tokens));
  return l;
}

TEST(Gptq, IdentityHessianIsRtn) {
  at::manual_seed(3);
  const at::Tensor w = at::randn({5, 16});
  const std::vector<float> host(w.data_ptr<float>(), w.data_ptr<float>() + w.numel());
  for (int64_t group : {-1, 4}) {
    gptq::GptqOptions o;
    o.bits = 3;
    o.group_size = group;
    o.block_size = 8;  // groups inside blocks and blocks of several groups
    const gptq::GptqLinear q = run(w, at::eye(16) * 2.0, o);
    const rtn::RtnLinear r = rtn::quantize(host.data(), 5, 16, 3, group);
    EXPECT_EQ(q.grid.codes, r.codes) << "group " << group;
    EXPECT_EQ(q.grid.scales, r.scales);
    EXPECT_EQ(q.grid.zeros, r.zeros);
    EXPECT_EQ(rtn::dequantize(q.grid), rtn::dequantize(r));
    EXPECT_DOUBLE_EQ(q.percdamp, 0.01);
  }
}

TEST(Gptq, OutputErrorBelowRtnOnARandomLayer) {
  const Layer l = random_layer(24, 64, 512);
  const std::vector<float> host(l.w.data_ptr<float>(), l.w.data_ptr<float>() + l.w.numel());
  for (int bits : {2, 3, 4})
    for (int64_t group : {-1, 16}) {
      gptq::GptqOptions o;
      o.bits = bits;
      o.group_size = group;
      const double e_rtn = relative_error(l.w, rtn::dequantize(rtn::quantize(host.data(), 24, 64, bits, group)), l.x);
      const double e_gptq = relative_error(l.w, rtn::dequantize(run(l.w, l.h, o).grid), l.x);
      EXPECT_LT(e_gptq, 0.8 * e_rtn) << bits << " bits, group " << group;
      o.act_order = true;
      EXPECT_LT(relative_error(l.w, rtn::dequantize(run(l.w, l.h, o).grid), l.x), 0.8 * e_rtn)
          << "act-order, " << bits << " bits, group " << group;
    }
}

TEST(Gptq, ActOrderWithGroupsStoresEachColumnsGroup) {
  const Layer l = random_layer(8, 32, 256);
  gptq::GptqOptions o;
  o.group_size = 8;
  o.act_order = true;
  const gptq::GptqLinear q = run(l.w, l.h, o);
  ASSERT_EQ(q.grid.group_index.size(), 32u);
  // Column j's group is its rank in descending diag(H), divided by the group size.
  const at::Tensor order = std::get<1>(at::sort(l.h.diagonal(), 0, true));
  for (int64_t k = 0; k < 32; ++k) EXPECT_EQ(q.grid.group_index[order[k].item<int64_t>()], k / 8);
  const auto& m = *quantcore::methods::find_method(gptq::kName);
  quantcore::methods::MethodSettings s(m);
  s.set("group-size", "8", "t");
  s.set("act-order", "true", "t");
  EXPECT_DOUBLE_EQ(m.bits(s, 8, 32, 0).stored * 8 * 32, static_cast<double>(rtn::stored_bits(q.grid)));
  o.static_groups = true;  // static groups: groups by original column, no index
  EXPECT_TRUE(run(l.w, l.h, o).grid.group_index.empty());
}

TEST(Gptq, DeadInputsGiveZeroColumns) {
  at::Tensor h = at::eye(4) * 3.0;
  h[2][2] = 0;
  const gptq::GptqLinear q = run(at::ones({2, 4}), h, gptq::GptqOptions{});
  const std::vector<float> w = rtn::dequantize(q.grid);
  EXPECT_EQ(w[2], 0.0f);
  EXPECT_EQ(w[6], 0.0f);
  EXPECT_NEAR(w[0], 1.0f, 1e-3);  // 1 on the grid 0..15 of scale fp16(1/15)
}

TEST(Gptq, StaticGroupsAreFittedOnTheOriginalColumns) {
  // With static groups every group's (scale, zero) is RTN's on W as it was, whatever the order.
  const Layer l = random_layer(8, 32, 256);
  const std::vector<float> host(l.w.data_ptr<float>(), l.w.data_ptr<float>() + l.w.numel());
  const rtn::RtnLinear r = rtn::quantize(host.data(), 8, 32, 3, 8);
  gptq::GptqOptions o;
  o.bits = 3;
  o.group_size = 8;
  o.static_groups = true;
  for (const bool act_order : {false, true}) {
    o.act_order = act_order;
    const gptq::GptqLinear q = run(l.w, l.h, o);
    EXPECT_EQ(q.grid.scales, r.scales) << "act-order " << act_order;
    EXPECT_EQ(q.grid.zeros, r.zeros) << "act-order " << act_order;
    EXPECT_NE(q.grid.codes, r.codes);  // the compensation still moves the codes
  }
}

TEST(Gptq, SymmetricGridCentresTheZeroPoint) {
  const Layer l = random_layer(6, 16, 128);
  gptq::GptqOptions o;
  o.bits = 3;
  o.symmetric = true;
  const gptq::GptqLinear q = run(l.w, l.h, o);
  const at::Tensor max_abs = std::get<0>(l.w.abs().max(1));
  for (int64_t i = 0; i < 6; ++i) {
    EXPECT_EQ(q.grid.zeros[i], 4) << i;  // 2^(b-1)
    EXPECT_NEAR(q.grid.scales[i], 2 * max_abs[i].item<float>() / 7, 2e-3 * max_abs[i].item<float>()) << i;  // fp16
  }
}

TEST(Gptq, TrueSequentialRecollectsTheHessianAfterEachGroupOfLinears) {
  // On stories260K: q/k/v see the same H either way (the first group), so their W' agree; o_proj
  // and the MLP see inputs from the already quantised attention, so theirs differ.
  const quantcore::quantize::OpenModel open =
      quantcore::quantize::open_model(quantlens_test::data_path("stories260K/stories260K.bin").string());
  const auto& method = *quantcore::methods::find_method(gptq::kName);
  auto weights_of = [&](bool true_sequential) {
    quantcore::quantize::QuantizeSettings settings{quantcore::methods::MethodSettings(method)};
    settings.method.set("bits", "3", "t");
    settings.method.set("true-sequential", true_sequential ? "true" : "false", "t");
    settings.calib = quantlens_test::data_path("house-corpus/valid.txt").string();
    settings.calibration = {4, 64, 2};
    quantcore::NullOptimizationEvents events;
    quantcore::NullProgress progress;
    const auto run = quantcore::quantize::quantize(open, nullptr, settings, {false, std::nullopt}, events, progress,
                                                   quantcore::CancelToken());
    std::map<std::string, std::vector<uint16_t>> w;
    for (const auto& l : run.quantized->blocks.front().linears) w[l->linear()] = l->dequantize_f16();
    return w;
  };
  const auto plain = weights_of(false), sequential = weights_of(true);
  for (const char* first : {"self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj"})
    EXPECT_EQ(plain.at(first), sequential.at(first)) << first;
  for (const char* later : {"self_attn.o_proj", "mlp.gate_proj", "mlp.down_proj"})
    EXPECT_NE(plain.at(later), sequential.at(later)) << later;
}

}  // namespace
