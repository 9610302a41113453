#include "quantcore/preprocess/lora_training.h"

#include <ATen/ATen.h>

#include <chrono>

#include "quantcore/calib/activation_stats_cache.h"
#include "quantcore/io/errors.h"
#include "quantcore/methods/quantized_linear.h"
#include "quantcore/model/causal_lm.h"
#include "quantcore/model/tensor_from_view.h"
#include "quantcore/pack/packed_format.h"
#include "quantcore/preprocess/lora_files.h"
#include "quantcore/preprocess/lora_state.h"
#include "quantcore/preprocess/lr_schedule.h"
#include "quantcore/preprocess/training_text.h"
#include "quantcore/tokenize/tokenizer.h"

namespace quantcore::preprocess {

namespace fs = std::filesystem;

namespace {

at::Tensor state_of(const std::optional<at::Generator>& g) { return g ? generator_state(*g) : at::Tensor(); }

// What a resumed run must share with the one that wrote the checkpoint: every setting that
// changes the curve (not how often it is saved), the training sequences, the model's shapes.
nlohmann::json run_identity(const LoraTraining& run, const TrainingText& text, const ModelSpec& spec) {
  nlohmann::json settings = settings_json(run.lora, run.training);
  settings.erase("checkpoint_every");
  std::vector<int32_t> all;
  for (const auto& s : text.sequences) {
    all.insert(all.end(), s.begin(), s.end());
    all.push_back(-1);
  }
  return {{"settings", settings},
          {"text_fingerprint", text_fingerprint(all)},
          {"sequences", text.sequences.size()},
          {"model", {{"layers", spec.num_layers}, {"hidden", spec.hidden_size}, {"vocab", spec.vocab_size}}}};
}

// An adapted model's W_P as a stored form: fp16 bits and nothing else to store.
class MergedLinear : public methods::QuantizedLinear {
public:
  MergedLinear(std::string linear, int64_t out, int64_t in, std::vector<uint16_t> bits)
      : linear_(std::move(linear)), out_(out), in_(in), bits_(std::move(bits)) {}
  const std::string& linear() const override { return linear_; }
  int64_t out_features() const override { return out_; }
  int64_t in_features() const override { return in_; }
  int64_t stored_bits() const override { return 16 * out_ * in_; }
  std::vector<uint16_t> dequantize_f16() const override { return bits_; }
  void add_parameters(SafetensorsWriter&, const std::string&) const override {}

private:
  std::string linear_;
  int64_t out_, in_;
  std::vector<uint16_t> bits_;
};

std::vector<uint16_t> fp16_bits(const at::Tensor& w) {
  const at::Tensor h = w.detach().to(at::kCPU, at::kHalf).contiguous();
  const auto* p = reinterpret_cast<const uint16_t*>(h.data_ptr());
  return std::vector<uint16_t>(p, p + h.numel());
}

}  // namespace

LoraResult train_lora(const quantize::OpenModel& base, const LoraTraining& run, TrainingEvents& events,
                      ProgressSink& progress, const CancelToken& cancel) {
  check_settings(run.lora, run.training);
  const ModelSpec& spec = base.model->spec();
  adapted_linears(spec, run.lora);  // InputError before any work
  check_against_model(spec, run.training);
  const std::shared_ptr<const TrainingText> read =
      run.text ? run.text
               : std::make_shared<const TrainingText>(training_text(run.train_text, *base.tokenizer, run.training));
  const TrainingText& text = *read;
  const nlohmann::json identity = run_identity(run, text, spec);
  fs::create_directories(run.adapter_dir);
  const fs::path checkpoint = run.adapter_dir / kCheckpointFile, log = run.adapter_dir / kTrainingLogFile;

  auto model = std::make_shared<CausalLM>(*base.model);  // shallow: the adapters go on the copy only
  auto state = std::make_shared<LoraState>(spec, run.lora, model->device(), run.training.seed);
  std::optional<at::Generator> dropout;
  if (run.lora.dropout > 0) dropout = dropout_generator(model->device(), run.training.seed);

  LoraResult result;
  result.documents = text.documents;
  result.sequences = static_cast<int64_t>(text.sequences.size());
  result.text_tokens = text.tokens();
  if (run.resume) {
    if (!fs::exists(checkpoint))
      throw InputError(checkpoint.string(), "does not exist: there is no LoRA checkpoint to resume from");
    const CheckpointContents c = read_checkpoint(checkpoint, *state, identity);
    if (dropout && c.generator_state.defined()) restore_generator(*dropout, c.generator_state);
    result.history = read_training_log(log);
    if (static_cast<int64_t>(result.history.size()) < c.steps_done)
      throw InputError(log.string(), "holds fewer steps than its checkpoint");
    result.history.resize(static_cast<size_t>(c.steps_done));
    result.resumed_from = c.steps_done;
  }
  state->install(*model, dropout);

  const TrainingSettings& t = run.training;
  SequenceOrder order(result.sequences, t.seed);
  const int64_t warmup = t.warmup();
  int64_t tokens = result.history.empty() ? 0 : result.history.back().tokens;
  const double seconds_before = result.history.empty() ? 0 : result.history.back().seconds;
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count(); };
  auto save = [&](const at::Tensor& generator_state) {
    write_training_log(log, result.history);
    write_checkpoint(checkpoint, *state, generator_state, identity);
  };

  progress.stage("LoRA training", t.steps);
  progress.advance(state->steps_done);
  at::Tensor boundary = state_of(dropout);
  try {
    while (state->steps_done < t.steps) {
      cancel.throw_if_requested();
      const int64_t step = state->steps_done;
      double loss = 0;
      for (int64_t m = 0; m < t.accum; ++m) {
        cancel.throw_if_requested();
        const auto& ids = text.sequences[static_cast<size_t>(order.at(step * t.accum + m))];
        loss += accumulate_sequence_gradients(*model, ids, 1.0 / static_cast<double>(t.accum), dropout);
        tokens += static_cast<int64_t>(ids.size());
      }
      TrainingStep s;
      s.step = step;
      s.loss = loss / static_cast<double>(t.accum);
      s.grad_norm = clip_gradients(*state, t.max_grad_norm);
      s.lr = scheduled_learning_rate(t.lr, warmup, t.steps, step);
      adamw_step(*state, t, s.lr);
      s.tokens = tokens;
      s.seconds = seconds_before + elapsed();
      result.history.push_back(s);
      boundary = state_of(dropout);
      events.step(s);
      progress.advance(state->steps_done);
      if (t.checkpoint_every > 0 && state->steps_done % t.checkpoint_every == 0 && state->steps_done < t.steps)
        save(boundary);
    }
  } catch (const Cancelled&) {
    // Adapters and moments change only at a step's end: they are the last finished step's, and
    // so is `boundary`, the generator's state before the interrupted step's draws.
    for (AdaptedLinear& l : state->linears)
      for (at::Tensor* p : {&l.a, &l.b})
        if (p->grad().defined()) p->mutable_grad().zero_();
    save(boundary);
    throw;
  }
  save(boundary);
  write_peft_adapter(run.adapter_dir, *state, run.base_model.empty() ? base.checkpoint->path.string() : run.base_model);
  progress.finish();
  result.seconds = elapsed();
  model->clear_linear_adapters();
  result.state = state;
  return result;
}

std::shared_ptr<const methods::QuantizedModel> merged_model(const quantize::OpenModel& base, const LoraState& state) {
  // W' as the first pass stored it (fp16), not as the model computes with it (bf16 on CUDA).
  const ModelSpec& spec = base.checkpoint->spec;
  std::map<std::pair<int64_t, std::string>, const AdaptedLinear*> adapted;
  for (const AdaptedLinear& l : state.linears) adapted[{l.block, l.linear}] = &l;
  std::map<std::pair<int64_t, std::string>, std::string> names;
  for (const packed::QuantizedWeight& q : packed::quantized_weights(spec)) names[{q.block, q.linear}] = q.weight_name;
  auto out = std::make_shared<methods::QuantizedModel>();
  for (int64_t b = 0; b < spec.num_layers; ++b) {
    methods::QuantizedBlock block;
    block.block = b;
    for (const LinearShape& shape : block_linears(spec)) {
      const std::string& name = names.at({b, shape.name});
      const auto view = base.checkpoint->weights->find(name);
      if (!view) throw InputError(base.checkpoint->weights->location(name), "missing tensor '" + name + "'");
      const at::Tensor w = tensor_from_view(*view, at::kFloat, base.model->device());
      const auto it = adapted.find({b, shape.name});
      const at::Tensor merged = it == adapted.end() ? w : state.merged_weight(*it->second, w);
      block.linears.push_back(
          std::make_shared<MergedLinear>(shape.name, shape.out_features, shape.in_features, fp16_bits(merged)));
    }
    out->blocks.push_back(std::move(block));
  }
  return out;
}

}  // namespace quantcore::preprocess
