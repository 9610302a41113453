// Restorative LoRA (ptq161-spec §6): the schedule, the training text, the merge, the adapted
// forward pass against the merged one, gradients against finite differences (dropout draws
// repeated by the per-block recomputation), and a resumed run against an uninterrupted one.
#include <ATen/ATen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "quantcore/io/errors.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/preprocess/lora_files.h"
#include "quantcore/preprocess/lora_state.h"
#include "quantcore/preprocess/lora_training.h"
#include "quantcore/preprocess/lr_schedule.h"
#include "quantcore/preprocess/training_text.h"
#include "quantcore/quantize/quantize_job.h"
#include "quantcore/tokenize/tokenizer.h"
#include "test_support.h"

namespace qp = quantcore::preprocess;
namespace qq = quantcore::quantize;

namespace {

const qq::OpenModel& stories() {
  static const qq::OpenModel open = qq::open_model(quantlens_test::data_path("stories260K/stories260K.bin").string());
  return open;
}

qp::LoraSettings small_lora(double dropout = 0) {
  qp::LoraSettings s;
  s.rank = 4;
  s.alpha = 8;
  s.dropout = dropout;
  return s;
}

// B drawn at random (PEFT starts it at zero, where the adapters change nothing).
void randomise(qp::LoraState& state, uint64_t seed) {
  at::NoGradGuard no_grad;
  at::manual_seed(seed);
  for (qp::AdaptedLinear& l : state.linears) l.b.normal_(0, 0.05);
}

std::vector<int32_t> some_ids(int64_t n) {
  const std::string text = quantlens_test::read_text(quantlens_test::data_path("house-corpus/valid.txt"));
  std::vector<int32_t> ids = stories().tokenizer->encode(text.substr(0, 2000));
  ids.resize(static_cast<size_t>(n));
  return ids;
}

double plain_loss(const quantcore::CausalLM& model, const std::vector<int32_t>& ids) {
  at::NoGradGuard no_grad;
  const std::vector<int64_t> wide(ids.begin(), ids.end());
  const int64_t n = static_cast<int64_t>(ids.size());
  const at::Tensor t = at::tensor(at::ArrayRef<int64_t>(wide), at::kLong).view({1, n});
  const at::Tensor logits = model.logits(t).to(at::kFloat)[0];
  return at::cross_entropy_loss(logits.slice(0, 0, n - 1), t[0].slice(0, 1, n)).item<double>();
}

TEST(LoraSchedule, WarmsUpLinearlyFromZeroThenDecaysAlongACosine) {
  EXPECT_EQ(qp::scheduled_learning_rate(1e-4, 10, 110, 0), 0.0);  // HF's first step has lr 0
  EXPECT_DOUBLE_EQ(qp::scheduled_learning_rate(1e-4, 10, 110, 5), 5e-5);
  EXPECT_DOUBLE_EQ(qp::scheduled_learning_rate(1e-4, 10, 110, 10), 1e-4);
  EXPECT_NEAR(qp::scheduled_learning_rate(1e-4, 10, 110, 60), 5e-5, 1e-18);  // half way: cos(pi/2) = 0
  EXPECT_NEAR(qp::scheduled_learning_rate(1e-4, 10, 110, 35), 1e-4 * 0.5 * (1 + std::cos(M_PI / 4)), 1e-18);
  EXPECT_NEAR(qp::scheduled_learning_rate(1e-4, 10, 110, 110), 0.0, 1e-20);
  qp::TrainingSettings code;  // 10,000 steps of 2 sequences: the code's 1000 warm-up steps
  EXPECT_EQ(code.warmup(), 1000);
}

TEST(LoraTrainingText, SplitsDocumentsOnBlankLinesOrASeparator) {
  EXPECT_EQ(qp::split_documents("\n\na\nb\n\n \t\n\nc\n\n", ""), (std::vector<std::string>{"a\nb", "c"}));
  EXPECT_EQ(qp::split_documents("one<|sep|>\n\ntwo\n<|sep|><|sep|>three", "<|sep|>"),
            (std::vector<std::string>{"one", "two", "three"}));
  EXPECT_TRUE(qp::split_documents(" \n\n\t\n", "").empty());
}

TEST(LoraTrainingText, VisitsEveryDocumentOncePerPassInASeededOrder) {
  qp::SequenceOrder a(7, 42), b(7, 42), c(7, 43);
  std::vector<int64_t> first, second, other;
  for (int64_t n = 0; n < 7; ++n) first.push_back(a.at(n));
  for (int64_t n = 7; n < 14; ++n) second.push_back(a.at(n));
  for (int64_t n = 0; n < 7; ++n) other.push_back(c.at(n));
  std::vector<int64_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(sorted, (std::vector<int64_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_NE(first, second);
  EXPECT_NE(first, other);
  EXPECT_EQ(b.at(9), second[2]);  // any position alone, as a resumed run asks
}

TEST(LoraTrainingText, AnEmptyOrTooShortTextIsOneErrorNamingIt) {
  quantlens_test::TempDir dir;
  quantlens_test::write_bytes(dir / "empty.txt", "\n \n\n");
  try {
    qp::training_text((dir / "empty.txt").string(), *stories().tokenizer, {});
    FAIL();
  } catch (const quantcore::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("empty.txt"), std::string::npos);
  }
  qp::TrainingSettings windows;
  windows.window = 4096;
  quantlens_test::write_bytes(dir / "short.txt", "Once upon a time.");
  EXPECT_THROW(qp::training_text((dir / "short.txt").string(), *stories().tokenizer, windows), quantcore::InputError);
}

TEST(LoraSettings, RankAboveALinearsSmallerSideAndUnknownTargetsAreErrors) {
  const quantcore::ModelSpec& spec = stories().model->spec();
  qp::LoraSettings s = small_lora();
  s.rank = 1000;
  EXPECT_THROW(qp::adapted_linears(spec, s), quantcore::InputError);
  s = small_lora();
  s.targets = {"q_proj", "qq_proj"};
  try {
    qp::adapted_linears(spec, s);
    FAIL();
  } catch (const quantcore::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("qq_proj"), std::string::npos);
  }
  const auto adapted = qp::adapted_linears(spec, small_lora());
  ASSERT_EQ(adapted.size(), 6u);  // the code's targets: every LLaMA linear but o_proj
  for (const auto& l : adapted) EXPECT_NE(l.name, "self_attn.o_proj");
}

TEST(LoraMerge, AddsScalingTimesBATheFirstPassWeight) {
  qp::LoraState state(stories().model->spec(), small_lora(), at::kCPU, 1);  // scaling 8 / 4 = 2
  qp::AdaptedLinear l = state.linears.front();
  l.a = at::tensor({1.0f, 0.0f, 2.0f, -1.0f}).view({2, 2});
  l.b = at::tensor({1.0f, 0.0f, 0.5f, 3.0f}).view({2, 2});
  const at::Tensor base = at::tensor({1.0f, 2.0f, 3.0f, 4.0f}).view({2, 2});
  // B A = [[1, 0], [0.5 + 6, -3]] -> W + 2 B A = [[3, 2], [16, -2]]
  const at::Tensor expected = at::tensor({3.0f, 2.0f, 16.0f, -2.0f}).view({2, 2});
  EXPECT_TRUE(at::equal(state.merged_weight(l, base), expected));
}

TEST(LoraForward, EqualsTheMergedModelsForward) {
  qp::LoraState state(stories().model->spec(), small_lora(), at::kCPU, 3);
  randomise(state, 4);
  quantcore::CausalLM adapted(*stories().model), merged(*stories().model);
  state.install(adapted, std::nullopt);
  for (const qp::AdaptedLinear& l : state.linears)
    merged.set_linear_weight(l.block, l.linear, state.merged_weight(l, merged.linear_weight(l.block, l.linear)));
  const std::vector<int32_t> ids = some_ids(48);
  const std::vector<int64_t> wide(ids.begin(), ids.end());
  at::NoGradGuard no_grad;
  const at::Tensor t = at::tensor(at::ArrayRef<int64_t>(wide), at::kLong).view({1, 48});
  const at::Tensor a = adapted.logits(t), m = merged.logits(t), base = stories().model->logits(t);
  EXPECT_LT((a - m).abs().max().item<double>(), 1e-4 * m.abs().max().item<double>());
  EXPECT_GT((a - base).abs().max().item<double>(), 1e-2);  // the adapters do change the model
}

// The directional derivative along random directions of A and of B, by central differences
// with the same dropout draws each time, against the accumulated gradients.
TEST(LoraGradients, MatchFiniteDifferencesWithDropoutDrawsRepeated) {
  qp::LoraState state(stories().model->spec(), small_lora(0.1), at::kCPU, 5);
  randomise(state, 6);
  quantcore::CausalLM model(*stories().model);
  const at::Generator gen = qp::dropout_generator(at::kCPU, 7);
  const at::Tensor start = qp::generator_state(gen);
  state.install(model, gen);
  const std::vector<int32_t> ids = some_ids(40);
  auto loss_at_start = [&] {
    qp::restore_generator(gen, start);
    return qp::accumulate_sequence_gradients(model, ids, 1.0, gen);
  };
  for (qp::AdaptedLinear& l : state.linears)
    for (at::Tensor* p : {&l.a, &l.b})
      if (p->grad().defined()) p->mutable_grad().zero_();
  loss_at_start();
  std::vector<at::Tensor> grads;  // the finite differences below accumulate more
  for (const qp::AdaptedLinear& l : state.linears) {
    grads.push_back(l.a.grad().clone());
    grads.push_back(l.b.grad().clone());
  }
  for (bool on_a : {true, false}) {
    at::manual_seed(on_a ? 8 : 9);
    std::vector<at::Tensor> directions;
    double predicted = 0;
    for (size_t i = 0; i < state.linears.size(); ++i) {
      directions.push_back(at::randn_like(on_a ? state.linears[i].a : state.linears[i].b));
      predicted += (grads[2 * i + (on_a ? 0 : 1)] * directions.back()).sum().item<double>();
    }
    const double eps = 2e-3;
    auto shifted = [&](double by) {
      {
        at::NoGradGuard no_grad;
        for (size_t i = 0; i < state.linears.size(); ++i)
          (on_a ? state.linears[i].a : state.linears[i].b).add_(directions[i], by);
      }
      const double loss = loss_at_start();
      at::NoGradGuard no_grad;
      for (size_t i = 0; i < state.linears.size(); ++i)
        (on_a ? state.linears[i].a : state.linears[i].b).sub_(directions[i], by);
      return loss;
    };
    const double measured = (shifted(eps) - shifted(-eps)) / (2 * eps);
    EXPECT_NEAR(measured, predicted, 0.02 * std::abs(predicted) + 1e-4) << (on_a ? "A" : "B");
    EXPECT_GT(std::abs(predicted), 1e-3);
  }
}

TEST(LoraGradients, TheLossIsThePlainForwardsCrossEntropyWithoutDropout) {
  qp::LoraState state(stories().model->spec(), small_lora(), at::kCPU, 10);
  randomise(state, 11);
  quantcore::CausalLM model(*stories().model);
  state.install(model, std::nullopt);
  const std::vector<int32_t> ids = some_ids(33);
  EXPECT_NEAR(qp::accumulate_sequence_gradients(model, ids, 0.5, std::nullopt), plain_loss(model, ids), 1e-5);
}

class CancelAfter : public qp::TrainingEvents {
public:
  CancelAfter(quantcore::CancelToken& cancel, int64_t steps) : cancel_(cancel), steps_(steps) {}
  void step(const qp::TrainingStep& s) override {
    if (s.step + 1 == steps_) cancel_.request();
  }

private:
  quantcore::CancelToken& cancel_;
  int64_t steps_;
};

TEST(LoraTraining, AResumedRunGivesTheUninterruptedRunsLossesBitForBit) {
  quantlens_test::TempDir dir;
  const std::string text = quantlens_test::read_text(quantlens_test::data_path("house-corpus/valid.txt"));
  std::string docs;
  for (size_t at = 0, n = 0; n < 12; ++n, at += 300) docs += text.substr(at, 200) + "\n\n";
  quantlens_test::write_bytes(dir / "train.txt", docs);
  qp::LoraTraining run;
  run.lora = small_lora(0.1);
  run.training.steps = 6;
  run.training.accum = 2;
  run.training.lr = 5e-3;
  run.training.max_len = 40;
  run.training.checkpoint_every = 2;
  run.train_text = (dir / "train.txt").string();

  quantcore::NullProgress progress;
  run.adapter_dir = dir / "straight";
  qp::NullTrainingEvents quiet;
  quantcore::CancelToken never;
  const qp::LoraResult straight = qp::train_lora(stories(), run, quiet, progress, never);
  ASSERT_EQ(straight.history.size(), 6u);
  EXPECT_EQ(straight.history[0].lr, 0.0);
  EXPECT_LT(straight.history[5].loss, straight.history[0].loss);

  run.adapter_dir = dir / "interrupted";
  quantcore::CancelToken cancel;
  CancelAfter stop(cancel, 3);
  EXPECT_THROW(qp::train_lora(stories(), run, stop, progress, cancel), quantcore::Cancelled);
  run.resume = true;
  const qp::LoraResult resumed = qp::train_lora(stories(), run, quiet, progress, never);
  EXPECT_EQ(resumed.resumed_from, 3);
  ASSERT_EQ(resumed.history.size(), 6u);
  for (size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(resumed.history[i].loss, straight.history[i].loss) << i;
    EXPECT_EQ(resumed.history[i].grad_norm, straight.history[i].grad_norm) << i;
    EXPECT_EQ(resumed.history[i].lr, straight.history[i].lr) << i;
    EXPECT_EQ(resumed.history[i].tokens, straight.history[i].tokens) << i;
  }
  for (size_t i = 0; i < straight.state->linears.size(); ++i) {
    EXPECT_TRUE(at::equal(straight.state->linears[i].a, resumed.state->linears[i].a));
    EXPECT_TRUE(at::equal(straight.state->linears[i].b, resumed.state->linears[i].b));
  }
  EXPECT_TRUE(std::filesystem::exists(dir / "straight" / qp::kAdapterWeightsFile));
  EXPECT_TRUE(std::filesystem::exists(dir / "straight" / qp::kAdapterConfigFile));

  run.lora.rank = 2;  // other settings: the checkpoint is refused
  EXPECT_THROW(qp::train_lora(stories(), run, quiet, progress, never), quantcore::InputError);
}

}  // namespace
