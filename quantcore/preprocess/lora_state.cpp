#include "quantcore/preprocess/lora_state.h"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>

#include <cmath>
#include <mutex>

#include "quantcore/model/causal_lm.h"
#include "quantcore/pack/packed_format.h"

namespace quantcore::preprocess {

at::Tensor generator_state(const at::Generator& g) {
  at::Generator gen = g;  // a handle: the same generator
  std::lock_guard<std::mutex> lock(gen.mutex());
  return gen.get_state();
}

void restore_generator(const at::Generator& g, const at::Tensor& state) {
  at::Generator gen = g;
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(state);
}

at::Generator dropout_generator(c10::Device device, uint64_t seed) {
  at::Generator g =
      device.is_cpu() ? at::detail::createCPUGenerator(seed) : at::globalContext().defaultGenerator(device);
  std::lock_guard<std::mutex> lock(g.mutex());
  g.set_current_seed(seed);
  return g;
}

LoraState::LoraState(const ModelSpec& spec, const LoraSettings& s, c10::Device device, uint64_t seed) : settings(s) {
  at::Generator init = at::detail::createCPUGenerator(seed);
  std::map<std::pair<int64_t, std::string>, std::string> prefixes;
  for (const packed::QuantizedWeight& q : packed::quantized_weights(spec)) prefixes[{q.block, q.linear}] = q.prefix;
  const std::vector<LinearShape> adapted = adapted_linears(spec, s);
  for (int64_t block = 0; block < spec.num_layers; ++block)
    for (const LinearShape& shape : adapted) {
      AdaptedLinear l;
      l.block = block;
      l.linear = shape.name;
      l.prefix = prefixes.at({block, shape.name});
      const double bound = 1.0 / std::sqrt(static_cast<double>(shape.in_features));
      l.a = at::empty({s.rank, shape.in_features}, at::kFloat).uniform_(-bound, bound, init).to(device);
      l.b = at::zeros({shape.out_features, s.rank}, at::TensorOptions().dtype(at::kFloat).device(device));
      l.a.requires_grad_(true);
      l.b.requires_grad_(true);
      l.a_avg = at::zeros_like(l.a).detach();
      l.a_avg_sq = at::zeros_like(l.a).detach();
      l.b_avg = at::zeros_like(l.b).detach();
      l.b_avg_sq = at::zeros_like(l.b).detach();
      linears.push_back(std::move(l));
    }
}

void LoraState::install(CausalLM& model, const std::optional<at::Generator>& dropout) const {
  for (const AdaptedLinear& l : linears)
    model.set_linear_adapter(l.block, l.linear, LinearAdapter{l.a, l.b, settings.scaling(), settings.dropout, dropout});
}

at::Tensor LoraState::merged_weight(const AdaptedLinear& l, const at::Tensor& base) const {
  at::NoGradGuard no_grad;
  return base.to(at::kFloat) + settings.scaling() * at::matmul(l.b.to(base.device()), l.a.to(base.device()));
}

double accumulate_sequence_gradients(const CausalLM& model, const std::vector<int32_t>& ids, double weight,
                                     const std::optional<at::Generator>& dropout) {
  const int64_t length = static_cast<int64_t>(ids.size()), blocks = model.num_blocks();
  const std::vector<int64_t> wide(ids.begin(), ids.end());
  const at::Tensor tokens = at::tensor(at::ArrayRef<int64_t>(wide), at::kLong).view({1, length}).to(model.device());

  std::vector<at::Tensor> inputs(static_cast<size_t>(blocks) + 1), states(static_cast<size_t>(blocks));
  {
    at::NoGradGuard no_grad;
    inputs[0] = model.embed(tokens);
    for (int64_t i = 0; i < blocks; ++i) {
      if (dropout) states[static_cast<size_t>(i)] = generator_state(*dropout);
      inputs[static_cast<size_t>(i) + 1] = model.block_forward(i, inputs[static_cast<size_t>(i)]);
    }
  }
  const at::Tensor end_state = dropout ? generator_state(*dropout) : at::Tensor();

  at::Tensor top = inputs.back().detach().requires_grad_(true);
  const at::Tensor logits = model.head(model.final_hidden(top)).to(at::kFloat);
  const at::Tensor loss = at::cross_entropy_loss(logits[0].slice(0, 0, length - 1), tokens[0].slice(0, 1, length));
  (loss * weight).backward();
  at::Tensor grad = top.grad();
  for (int64_t i = blocks - 1; i >= 0; --i) {
    if (dropout) restore_generator(*dropout, states[static_cast<size_t>(i)]);
    at::Tensor x = inputs[static_cast<size_t>(i)].detach();
    if (i > 0) x.requires_grad_(true);
    model.block_forward(i, x).backward(grad);
    if (i > 0) grad = x.grad();
  }
  if (dropout) restore_generator(*dropout, end_state);
  return loss.item<double>();
}

double clip_gradients(LoraState& state, double max_norm) {
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> norms;
  for (AdaptedLinear& l : state.linears)
    for (at::Tensor* p : {&l.a, &l.b})
      if (p->grad().defined()) norms.push_back(p->grad().norm(2));
  if (norms.empty()) return 0;
  const double total = at::stack(norms).norm(2).item<double>();
  const double coef = max_norm / (total + 1e-6);
  if (max_norm > 0 && coef < 1)
    for (AdaptedLinear& l : state.linears)
      for (at::Tensor* p : {&l.a, &l.b})
        if (p->grad().defined()) p->mutable_grad().mul_(coef);
  return total;
}

void adamw_step(LoraState& state, const TrainingSettings& s, double lr) {
  at::NoGradGuard no_grad;
  const int64_t step = ++state.steps_done;
  const double bias1 = 1 - std::pow(s.beta1, static_cast<double>(step));
  const double bias2_sqrt = std::sqrt(1 - std::pow(s.beta2, static_cast<double>(step)));
  for (AdaptedLinear& l : state.linears) {
    const std::pair<at::Tensor*, std::pair<at::Tensor*, at::Tensor*>> params[] = {{&l.a, {&l.a_avg, &l.a_avg_sq}},
                                                                                  {&l.b, {&l.b_avg, &l.b_avg_sq}}};
    for (const auto& [p, moments] : params) {
      const at::Tensor grad = p->grad().defined() ? p->grad() : at::zeros_like(*p);
      p->mul_(1 - lr * s.weight_decay);
      moments.first->lerp_(grad, 1 - s.beta1);
      moments.second->mul_(s.beta2).addcmul_(grad, grad, 1 - s.beta2);
      const at::Tensor denom = (moments.second->sqrt() / bias2_sqrt).add_(s.eps);
      p->addcdiv_(*moments.first, denom, -lr / bias1);
      if (p->grad().defined()) p->mutable_grad().zero_();
    }
  }
}

}  // namespace quantcore::preprocess
