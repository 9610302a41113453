#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "analysis/perplexity.h"
#include "command_support.h"
#include "quantcore/io/read_file.h"
#include "commands.h"
#include "quantcore/io/errors.h"
#include "terminal_progress.h"

namespace quantlens_cli {

namespace {
struct EvalArgs {
  std::string text_file;
  int64_t seqlen = 0;  // 0: 2048, capped at the model's context
  int64_t max_windows = 0;
};

int64_t choose_seqlen(const EvalArgs& args, const quantcore::ModelSpec& spec) {
  if (args.seqlen == 0) return std::min<int64_t>(2048, spec.max_position_embeddings);
  if (spec.family == quantcore::Family::Opt && args.seqlen > spec.max_position_embeddings)
    throw quantcore::InputError("--seqlen", std::to_string(args.seqlen) + " exceeds the model's " +
                                                std::to_string(spec.max_position_embeddings) + " learned positions");
  return args.seqlen;
}
}  // namespace

void define_eval(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto device = std::make_shared<DeviceArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto args = std::make_shared<EvalArgs>();
  model->add_to(sub);
  sub.add_option("--text", args->text_file, "Text file to evaluate on (read as is)")->required();
  sub.add_option("--seqlen", args->seqlen, "Window length (default 2048, capped at the model's context)")
      ->check(positive_integer());
  sub.add_option("--max-windows", args->max_windows, "Evaluate only the first K windows")->check(positive_integer());
  device->add_to(sub);
  out->add_to(sub);
  action = [model, device, out, args] {
    LoadedModel loaded = model->load(*device);
    const quantcore::Tokenizer& tokenizer = *loaded.tokenizer;
    const std::string text = quantcore::read_file(args->text_file);

    const auto t0 = std::chrono::steady_clock::now();
    std::vector<int32_t> ids = tokenizer.encode(text);
    const double tokenize_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    analysis::PerplexityOptions options;
    options.seqlen = choose_seqlen(*args, loaded.checkpoint.spec);
    if (args->max_windows > 0) options.max_windows = args->max_windows;
    TerminalProgress progress(!out->quiet);
    analysis::PerplexityResult r = analysis::evaluate_perplexity(*loaded.lm, ids, options, progress, interrupt_token());

    const double tokens_per_second = double(r.windows * r.seqlen) / r.seconds;
    if (out->json) {
      nlohmann::json doc = device->json(*loaded.lm);
      doc.update({{"ppl", r.ppl},
                  {"nll", r.mean_nll},
                  {"windows", r.windows},
                  {"tokens_scored", r.tokens_scored},
                  {"seqlen", r.seqlen},
                  {"seconds", r.seconds},
                  {"text_tokens", ids.size()},
                  {"tokenize_seconds", tokenize_seconds},
                  {"tokens_per_second", tokens_per_second}});
      out->emit(doc);
    } else {
      std::printf("PPL = %.4f  (mean NLL %.6f over %lld windows of %lld tokens, %.1f tokens/s)\n", r.ppl, r.mean_nll,
                  (long long)r.windows, (long long)r.seqlen, tokens_per_second);
    }
    return 0;
  };
}

}  // namespace quantlens_cli
