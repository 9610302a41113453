// `quantlens preprocess`: quantization preprocessing (ptq161-spec §6): a first PTQ1.61 pass,
// restorative LoRA on its W', and the merged dense model M_P written as an HF directory that
// `quantlens quantize` then quantises (its first pass in first-pass/, the adapter in adapter/).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "command_support.h"
#include "commands.h"
#include "lora_args.h"
#include "preprocess_run.h"
#include "quantcore/export/staging_dir.h"
#include "quantize_args.h"

namespace quantlens_cli {

namespace {
namespace fs = std::filesystem;
namespace qp = quantcore::preprocess;
using namespace quantcore::outputs;
}  // namespace

void define_preprocess(CLI::App& sub, Action& action) {
  auto model = std::make_shared<ModelArgs>();
  auto device = std::make_shared<DeviceArgs>();
  auto out = std::make_shared<OutputArgs>();
  auto first = std::make_shared<QuantizeArgs>();
  auto lora = std::make_shared<LoraArgs>();
  auto dest_arg = std::make_shared<std::string>();
  auto force = std::make_shared<bool>(false);
  auto text = std::make_shared<std::string>();
  auto eval_seqlen = std::make_shared<int64_t>(0);
  model->add_to(sub);
  first->add_method_options(sub);
  lora->add_to(sub, true);
  sub.add_option("--device", device->compute.device, "cpu or cuda")->capture_default_str();
  sub.add_option("--dtype", device->compute.dtype, "Compute dtype: fp32, or bf16 (float32 masters always)")
      ->capture_default_str();
  sub.add_option("--text", *text, "Also measure the perplexity of M, the first pass and M_P on this text");
  sub.add_option("--eval-seqlen", *eval_seqlen, "Window of the perplexities (default 2048, capped at the context)");
  sub.add_option("--out", *dest_arg, "The preprocessed model M_P (an HF directory, written when complete)")->required();
  sub.add_flag("--force", *force, "Replace a previous output (and an unfinished run's work directory)");
  out->add_to(sub);
  action = [=] {
    std::vector<fs::path> inputs = model->inputs();
    for (const std::string* p : {&first->calibration.text, &lora->train_text, text.get()})
      if (!p->empty()) inputs.emplace_back(*p);
    const fs::path dest = checked_destination(*dest_arg, *force, inputs);
    const fs::path work = qp::prepared_work_directory(dest, *force, lora->resume, inputs);

    QuantizeArgs::check_compute(device->compute);
    const quantcore::quantize::OpenModel open = model->load(*device).open();
    qp::PreprocessSettings settings(first->settings(open, device->compute));
    settings.lora = lora->lora;
    settings.training = lora->training_for(open.checkpoint->spec);
    settings.train_text = lora->train_text;
    PreprocessRequest request{&open, &settings,    work,      lora->resume, first->calibration.cache_dir,
                              *text, *eval_seqlen, out->quiet};
    const PreprocessOutcome done = run_preprocessing(request);
    qp::commit_preprocessed(done.result, done.record, dest, *force);

    nlohmann::json doc = done.record;
    doc["out"] = dest.string();
    if (out->json) {
      out->emit(doc);
    } else {
      const nlohmann::json& l = done.record["lora"];
      std::printf("Preprocessed %s: %lld LoRA steps on %lld tokens (loss %.4f -> %.4f) in %.1f s -> %s\n",
                  open.checkpoint->path.string().c_str(), (long long)l["steps"].get<int64_t>(),
                  (long long)l["tokens_seen"].get<int64_t>(), l["first_loss"].get<double>(),
                  l["final_loss"].get<double>(), l["seconds"].get<double>(), dest.string().c_str());
      if (done.record["perplexity"].is_object())
        std::printf("Perplexity: original %.3f, first pass %.3f, preprocessed %.3f\n",
                    done.record["perplexity"]["original"].get<double>(),
                    done.record["perplexity"]["first_pass"].get<double>(),
                    done.record["perplexity"]["preprocessed"].get<double>());
      if (done.record["concentration"].is_object())
        std::printf(
            "Top-K salient weights inside the mask (magnitude / Hessian): before %.3f / %.3f, after %.3f / %.3f\n",
            done.record["concentration"]["before"]["mean"]["in_mask_magnitude"].get<double>(),
            done.record["concentration"]["before"]["mean"]["in_mask_hessian"].get<double>(),
            done.record["concentration"]["after"]["mean"]["in_mask_magnitude"].get<double>(),
            done.record["concentration"]["after"]["mean"]["in_mask_hessian"].get<double>());
    }
    return 0;
  };
}

}  // namespace quantlens_cli
