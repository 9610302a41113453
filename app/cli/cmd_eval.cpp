#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "analysis/perplexity.h"
#include "analysis/zero_shot_eval.h"
#include "analysis/zero_shot_task.h"
#include "command_support.h"
#include "quantcore/io/read_file.h"
#include "commands.h"
#include "quantcore/io/errors.h"
#include "quantcore/model/load_model.h"
#include "quantcore/pack/input_quantization_file.h"
#include "terminal_progress.h"

namespace quantlens_cli {

namespace {
struct EvalArgs {
  std::string text_file;
  int64_t seqlen = 0;  // 0: 2048, capped at the model's context
  int64_t max_windows = 0;
  std::string task;  // zero-shot accuracy instead of perplexity
  std::string task_data;
  int64_t limit = 0;
};

int64_t choose_seqlen(const EvalArgs& args, const quantcore::ModelSpec& spec) {
  if (args.seqlen == 0) return std::min<int64_t>(2048, spec.max_position_embeddings);
  if (spec.family == quantcore::Family::Opt && args.seqlen > spec.max_position_embeddings)
    throw quantcore::InputError("--seqlen", std::to_string(args.seqlen) + " exceeds the model's " +
                                                std::to_string(spec.max_position_embeddings) + " learned positions");
  return args.seqlen;
}

// --text and --task are the two kinds of evaluation; each refuses the other's options.
const analysis::ZeroShotTask* check_mode(const EvalArgs& args) {
  if (args.text_file.empty() == args.task.empty())
    throw quantcore::InputError("--text, --task",
                                "give exactly one: --text FILE (perplexity) or --task NAME "
                                "--task-data PATH (zero-shot accuracy)");
  if (args.task.empty()) {
    if (!args.task_data.empty()) throw quantcore::InputError("--task-data", "goes with --task, not --text");
    if (args.limit > 0) throw quantcore::InputError("--limit", "goes with --task (--max-windows limits --text)");
    return nullptr;
  }
  const analysis::ZeroShotTask* task = analysis::find_zero_shot_task(args.task);
  if (task == nullptr)
    throw quantcore::InputError("--task",
                                "unknown task \"" + args.task + "\" (one of " + analysis::zero_shot_task_names() + ")");
  if (args.task_data.empty())
    throw quantcore::InputError("--task-data",
                                std::string("is required with --task ") + task->name + " (" + task->data + ")");
  if (args.seqlen > 0) throw quantcore::InputError("--seqlen", "goes with --text, not --task");
  if (args.max_windows > 0) throw quantcore::InputError("--max-windows", "goes with --text (--limit limits --task)");
  return task;
}

nlohmann::json optional_json(const std::optional<double>& v) { return v ? nlohmann::json(*v) : nlohmann::json(); }

int run_perplexity(const ModelArgs& model, const DeviceArgs& device, const OutputArgs& out, const EvalArgs& args) {
  LoadedModel loaded = model.load(device);
  const quantcore::Tokenizer& tokenizer = *loaded.tokenizer;
  const std::string text = quantcore::read_file(args.text_file);

  const auto t0 = std::chrono::steady_clock::now();
  std::vector<int32_t> ids = tokenizer.encode(text);
  const double tokenize_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  analysis::PerplexityOptions options;
  options.seqlen = choose_seqlen(args, loaded.checkpoint.spec);
  if (args.max_windows > 0) options.max_windows = args.max_windows;
  TerminalProgress progress(!out.quiet);
  analysis::PerplexityResult r = analysis::evaluate_perplexity(*loaded.lm, ids, options, progress, interrupt_token());

  const double tokens_per_second = double(r.windows * r.seqlen) / r.seconds;
  if (out.json) {
    nlohmann::json doc = device.json(*loaded.lm);
    doc.update({{"ppl", r.ppl},
                {"nll", r.mean_nll},
                {"windows", r.windows},
                {"tokens_scored", r.tokens_scored},
                {"seqlen", r.seqlen},
                {"seconds", r.seconds},
                {"text_tokens", ids.size()},
                {"tokenize_seconds", tokenize_seconds},
                {"tokens_per_second", tokens_per_second}});
    out.emit(doc);
  } else {
    std::printf("PPL = %.4f  (mean NLL %.6f over %lld windows of %lld tokens, %.1f tokens/s)\n", r.ppl, r.mean_nll,
                (long long)r.windows, (long long)r.seqlen, tokens_per_second);
    if (const int bits = quantcore::input_bits_of(*loaded.lm); bits > 0)
      std::printf("  linear inputs quantised to %d bits per token (%s)\n", bits, quantcore::kInputQuantizationFile);
  }
  return 0;
}

int run_zero_shot(const analysis::ZeroShotTask& task, const ModelArgs& model, const DeviceArgs& device,
                  const OutputArgs& out, const EvalArgs& args) {
  const std::vector<analysis::ZeroShotItem> items = task.read(args.task_data);  // bad data fails before the model loads
  LoadedModel loaded = model.load(device);
  analysis::ZeroShotOptions options;
  if (args.limit > 0) options.limit = args.limit;
  options.data_name = args.task_data;
  TerminalProgress progress(!out.quiet);
  const analysis::ZeroShotResult r =
      analysis::evaluate_zero_shot(*loaded.lm, *loaded.tokenizer, task, items, options, progress, interrupt_token());
  if (out.json) {
    nlohmann::json doc = device.json(*loaded.lm);
    doc.update({{"task", r.task},
                {"acc", r.acc},
                {"acc_stderr", optional_json(r.acc_stderr)},
                {"acc_norm", optional_json(r.acc_norm)},
                {"acc_norm_stderr", optional_json(r.acc_norm_stderr)},
                {"perplexity", optional_json(r.perplexity)},
                {"count", r.count},
                {"items_in_file", items.size()},
                {"requests", r.requests},
                {"max_length", r.max_length},
                {"seconds", r.seconds},
                {"items_per_second", double(r.count) / r.seconds}});
    out.emit(doc);
    return 0;
  }
  auto with_stderr = [](double value, const std::optional<double>& err) {
    char text[64];
    if (err) {
      std::snprintf(text, sizeof text, "%.4f ± %.4f", value, *err);
    } else {
      std::snprintf(text, sizeof text, "%.4f", value);
    }
    return std::string(text);
  };
  std::printf("%s: acc %s", r.task.c_str(), with_stderr(r.acc, r.acc_stderr).c_str());
  if (r.acc_norm) std::printf(", acc_norm %s", with_stderr(*r.acc_norm, r.acc_norm_stderr).c_str());
  if (r.perplexity) std::printf(", perplexity %.4f", *r.perplexity);
  std::printf("  (%lld items, %.1f s)\n", (long long)r.count, r.seconds);
  return 0;
}
}  // namespace

void define_eval(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto device = std::make_shared<DeviceArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto args = std::make_shared<EvalArgs>();
  model->add_to(sub);
  sub.add_option("--text", args->text_file, "Perplexity: text file to evaluate on (read as is)");
  sub.add_option("--seqlen", args->seqlen, "Window length (default 2048, capped at the model's context)")
      ->check(positive_integer());
  sub.add_option("--max-windows", args->max_windows, "Evaluate only the first K windows")->check(positive_integer());
  sub.add_option("--task", args->task,
                 "Zero-shot accuracy, lm-evaluation-harness conventions: " + analysis::zero_shot_task_names("|"));
  sub.add_option("--task-data", args->task_data, "The task's data file (docs/zero-shot.md)");
  sub.add_option("--limit", args->limit, "Evaluate only the first N items of the task")->check(positive_integer());
  device->add_to(sub);
  out->add_to(sub);
  action = [model, device, out, args] {
    const analysis::ZeroShotTask* task = check_mode(*args);
    return task ? run_zero_shot(*task, *model, *device, *out, *args) : run_perplexity(*model, *device, *out, *args);
  };
}

}  // namespace quantlens_cli
