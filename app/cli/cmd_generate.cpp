#include <chrono>
#include <iostream>
#include <memory>

#include "command_support.h"
#include "commands.h"
#include "quantcore/model/generate.h"
#include "terminal_progress.h"

namespace quantlens_cli {

namespace {
struct GenerateArgs {
  std::string prompt;
  int64_t max_tokens = 32;
  bool no_kv_cache = false;
  bool ignore_eos = false;
};
}  // namespace

void define_generate(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto device = std::make_shared<DeviceArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto args = std::make_shared<GenerateArgs>();
  model->add_to(sub);
  sub.add_option("--prompt", args->prompt, "Prompt text")->required();
  sub.add_option("--max-tokens", args->max_tokens, "Tokens to generate")
      ->capture_default_str()
      ->check(positive_integer());
  sub.add_flag("--no-kv-cache", args->no_kv_cache, "Recompute the whole sequence every step");
  sub.add_flag("--ignore-eos", args->ignore_eos, "Keep generating after the end-of-sequence token");
  device->add_to(sub);
  out->add_to(sub);
  action = [model, device, out, args] {
    LoadedModel loaded = model->load(*device);
    const quantcore::Tokenizer& tokenizer = *loaded.tokenizer;
    std::vector<int32_t> prompt = tokenizer.encode(args->prompt);

    quantcore::GreedyOptions options;
    options.max_new_tokens = args->max_tokens;
    options.use_kv_cache = !args->no_kv_cache;
    if (!args->ignore_eos) options.stop_token = tokenizer.eos_id();
    TerminalProgress progress(!out->quiet);
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<int32_t> generated =
        quantcore::generate_greedy(*loaded.lm, prompt, options, progress, interrupt_token());
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    std::vector<int32_t> all = prompt;
    all.insert(all.end(), generated.begin(), generated.end());
    const std::string text = tokenizer.decode(all);
    if (out->json) {
      nlohmann::json doc = device->json(*loaded.lm);
      doc.update({{"ids", generated},
                  {"text", text},
                  {"prompt_ids", prompt},
                  {"seconds", seconds},
                  {"tokens_per_second", seconds > 0 ? double(generated.size()) / seconds : 0.0}});
      out->emit(doc);
    } else
      std::cout << text << std::endl;
    return 0;
  };
}

}  // namespace quantlens_cli
